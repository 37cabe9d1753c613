package io.cnnsee.dl4j;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The native build chosen is the one loaded, and on a platform that has it, the oneDNN one. */
class NativeBuildTest {

    @Test
    void theChosenBuildIsTheOneTheProcessLoaded() {
        try (Vgg16Model model = Vgg16.builder().architecture(Vgg16ModelTest.TINY).weights(Vgg16Weights.random(1)).build()) {
            model.forward(TestImages.noise(8, 8, 1), model.taps());
        }
        String chosen = NativeBuild.selected().orElseThrow();
        assertThat(System.getProperty(NativeBuild.PROPERTY)).isNotNull();
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "only Linux says which library is mapped");
        assertThat(NativeBuild.loadedLibrary()).hasValueSatisfying(path ->
                assertThat(path).endsWith("/" + chosen + "/libnd4jcpu.so"));
        if (NativeBuild.platform().equals("linux-x86_64")) {
            // The build declares the oneDNN natives for this platform (nd4j.native.build in the parent pom).
            assertThat(chosen).startsWith("linux-x86_64-onednn");
        }
    }

    @Test
    void processorFlagsArePaddedForWholeWordMatches() {
        String flags = NativeBuild.cpuFlags();
        if (!flags.isEmpty()) {
            assertThat(flags).startsWith(" ").endsWith(" ");
            assertThat(flags).contains(" sse2 "); // every x86-64 processor has it
        }
    }
}
