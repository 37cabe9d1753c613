package io.cnnsee.cli;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cnnsee.cli.CnnseeCliTest.cnnsee;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code cnnsee visualize}: pictures, grid and page per layer, and what it refuses. */
class VisualizeCliTest {

    @org.junit.jupiter.api.io.TempDir
    Path dir;

    @Test
    void aUsersModelsChannelsAreVisualisedIntoTilesAGridAndAPage() throws Exception {
        Path zip = ModelChoiceCliTest.saveModelTo(dir);
        Path out = dir.resolve("visualize");
        CnnseeCliTest.Run run = cnnsee("visualize", "--model", zip.toString(), "--input", "unit",
                "--input-size", "32", "--taps", "conv_a,conv_b", "--channels", "0-2", "--steps", "4", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("[1/3] conv_a #0: objective", "[3/3] conv_b #2: objective").doesNotContain("--tv");
        for (String layer : List.of("conv_a", "conv_b")) {
            Path dir = out.resolve(layer);
            for (int c = 0; c < 3; c++) {
                assertThat(ImageIO.read(dir.resolve("channel-" + c + ".png").toFile()).getWidth()).isEqualTo(32);
            }
            assertThat(ImageIO.read(dir.resolve("grid.png").toFile()).getWidth()).isEqualTo(3 * 32 + 2 * 4);
            String html = Files.readString(dir.resolve("visualize.html"));
            assertThat(html).contains("What " + layer + "&#39;s channels look for", "4 steps, the input&#39;s pixels, seed 1",
                    "channel-2.png").doesNotContain("Random weights");
            assertThat(run.out()).contains(dir.resolve("visualize.html").toString());
        }
    }

    /** A total variation far above what the objective can bear is said, with a weight that suits it. */
    @Test
    void aHeavyTotalVariationIsSaid() throws Exception {
        Path zip = ModelChoiceCliTest.saveModelTo(dir);
        CnnseeCliTest.Run run = cnnsee("visualize", "--model", zip.toString(), "--input", "unit", "--input-size", "32",
                "--taps", "conv_a", "--channels", "0", "--steps", "4", "--tv", "5", "--out", dir.resolve("tv").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).containsPattern("  --tv 5\\.0 is \\d+ times what suits this channel's objective: its picture "
                + "may be flattened; try --tv \\S+ \\(docs/visualize.md\\)");
        String html = Files.readString(dir.resolve("tv").resolve("conv_a").resolve("visualize.html"));
        assertThat(html).contains("width=\"192\"", "image-rendering:pixelated");
    }

    @Test
    void randomWeightsAreSaidOnThePage() throws Exception {
        Path out = dir.resolve("visualize-random");
        CnnseeCliTest.Run run = cnnsee("visualize", "--model", "squeezenet", "--weights", "random", "--taps", "fire3",
                "--channels", "5", "--steps", "1", "--size", "64", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readString(out.resolve("fire3").resolve("visualize.html"))).contains("Random weights",
                "they look like coloured noise");
    }

    @Test
    void badChannelsAndLayersAreUsageErrors() {
        assertThat(cnnsee("visualize", "--taps", "block4_conv3", "--channels", "a-b").err())
                .contains("--channels must be like 0-15 or 1,5,9, was 'a-b'");
        CnnseeCliTest.Run noTaps = cnnsee("visualize");
        assertThat(noTaps.exitCode()).isEqualTo(2);
        assertThat(noTaps.err()).contains("Missing required option: '--taps=LAYERS'");
        CnnseeCliTest.Run tooMany = cnnsee("visualize", "--weights", "random", "--taps", "block1_conv2", "--channels", "64");
        assertThat(tooMany.exitCode()).isEqualTo(2);
        assertThat(tooMany.err()).contains("block1_conv2 has channels 0 to 63, not 64");
        assertThatThrownBy(() -> VisualizeCommand.channelList("3-1")).hasMessageContaining("was '3-1'");
        assertThat(VisualizeCommand.channelList("0-2,7")).containsExactly(0, 1, 2, 7);
    }
}
