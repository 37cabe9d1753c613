package io.cnnsee.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every benchmark method runs, once, with its setup and tear-down, in this JVM and with the first
 * value of each parameter: the numbers of docs/performance.md come from this code, and nothing else
 * runs it. (Which native build a benchmark measures needs a JVM of its own: AllBenchmarksTest.)
 */
class EveryBenchmarkTest {

    private static final List<Class<?>> BENCHMARKS = List.of(DefaultConfigurationBenchmark.class, ForwardBenchmark.class,
            InspectBenchmark.class, MatrixMultiplyBenchmark.class, PhotographBenchmark.class, PngBenchmark.class,
            VisualizeBenchmark.class, ZooBenchmark.class);

    @Test
    void theListHoldsEveryBenchmarkClassJmhKnows() throws IOException {
        String list;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertThat(in).as("JMH's list of benchmarks").isNotNull();
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        TreeSet<String> known = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^JMH S \\d+ (\\S+) ").matcher(list);
        while (m.find()) {
            known.add(m.group(1));
        }
        assertThat(known).containsExactlyInAnyOrderElementsOf(BENCHMARKS.stream().map(Class::getName).toList());
    }

    static List<Class<?>> benchmarks() {
        return BENCHMARKS;
    }

    @ParameterizedTest
    @MethodSource("benchmarks")
    void everyMethodRunsOnce(Class<?> benchmark) throws Exception {
        Object state = benchmark.getConstructor().newInstance();
        for (Field field : benchmark.getFields()) {
            Param param = field.getAnnotation(Param.class);
            if (param != null) {
                field.set(state, value(field.getType(), param.value()[0]));
            }
        }
        List<String> ran = new ArrayList<>();
        call(benchmark, state, Setup.class);
        try {
            for (Method method : benchmark.getMethods()) {
                if (method.isAnnotationPresent(Benchmark.class)) {
                    Object result = method.invoke(state);
                    assertThat(result).as(method.getName()).isNotNull();
                    if (result instanceof Number n) {
                        assertThat(n.longValue()).as(method.getName()).isPositive();
                    }
                    if (result instanceof Collection<?> c) {
                        assertThat(c).as(method.getName()).isNotEmpty();
                    }
                    ran.add(method.getName());
                }
            }
        } finally {
            call(benchmark, state, TearDown.class);
        }
        assertThat(ran).isNotEmpty();
    }

    private static void call(Class<?> benchmark, Object state, Class<? extends java.lang.annotation.Annotation> level)
            throws Exception {
        for (Method method : benchmark.getMethods()) {
            if (method.isAnnotationPresent(level)) {
                method.invoke(state);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object value(Class<?> type, String text) {
        if (type == boolean.class) {
            return Boolean.parseBoolean(text);
        }
        if (type == int.class) {
            return Integer.parseInt(text);
        }
        if (type.isEnum()) {
            return Enum.valueOf((Class<Enum>) type, text);
        }
        return text;
    }
}
