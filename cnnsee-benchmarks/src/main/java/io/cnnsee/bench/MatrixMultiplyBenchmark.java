package io.cnnsee.bench;

import io.cnnsee.dl4j.NativeBuild;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The machine's ceiling, measured in the same run as the network: a single-precision n x n x n
 * matrix multiply through ND4J (2 n^3 FLOP), into a preallocated result.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 7, time = 3)
@Fork(1)
public class MatrixMultiplyBenchmark {

    @Param({"2048", "4096"})
    public int n;

    private INDArray a;
    private INDArray b;
    private INDArray c;

    @Setup
    public void setUp() {
        Nd4j.getRandom().setSeed(1);
        a = Nd4j.rand(DataType.FLOAT, n, n);
        b = Nd4j.rand(DataType.FLOAT, n, n);
        c = Nd4j.create(DataType.FLOAT, n, n);
        System.out.println(Machine.nativeBuild());
    }

    /** On the native build cnnsee uses (oneDNN): the machine's ceiling. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-D" + NativeBuild.PROPERTY + "=-onednn")
    public INDArray sgemmOnednnBuild() {
        return Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }

    /** On the plain native build (OpenBLAS 0.3.19), the default configuration's. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-D" + NativeBuild.PROPERTY + "=")
    public INDArray sgemmPlainBuild() {
        return Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }

    @TearDown
    public void tearDown() {
        a.close();
        b.close();
        c.close();
    }
}
