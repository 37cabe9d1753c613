package io.cnnsee.render;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ColormapTest {

    /**
     * Entries as matplotlib 3.6 publishes them (matplotlib/_cm_listed.py for the listed maps,
     * the linear segments of 'gray'), with the 8-bit colour that {@code cmap(i, bytes=True)} gives.
     */
    @ParameterizedTest(name = "{0}[{1}]")
    @CsvSource({
        "viridis,   0, 0.267004, 0.004874, 0.329415,  68,   1,  84",
        "viridis,  37, 0.274128, 0.199721, 0.498911,  69,  50, 127",
        "viridis, 128, 0.127568, 0.566949, 0.550556,  32, 144, 140",
        "viridis, 200, 0.440137, 0.811138, 0.340967, 112, 206,  86",
        "viridis, 255, 0.993248, 0.906157, 0.143936, 253, 231,  36",
        "magma,     0, 0.001462, 0.000466, 0.013866,   0,   0,   3",
        "magma,   128, 0.716387, 0.214982, 0.47529,  182,  54, 121",
        "magma,   255, 0.987053, 0.991438, 0.749504, 251, 252, 191",
        "inferno,   0, 0.001462, 0.000466, 0.013866,   0,   0,   3",
        "inferno, 200, 0.985952, 0.61575,  0.025592, 251, 157,   6",
        "inferno, 255, 0.988362, 0.998364, 0.644924, 252, 254, 164",
        "plasma,    0, 0.050383, 0.029803, 0.527975,  12,   7, 134",
        "plasma,   37, 0.331426, 0.006261, 0.641316,  84,   1, 163",
        "plasma,  255, 0.940015, 0.975158, 0.131326, 239, 248,  33",
        "turbo,     0, 0.18995,  0.07176,  0.23217,   48,  18,  59",
        "turbo,   128, 0.64362,  0.98999,  0.23356,  164, 252,  59",
        "turbo,   255, 0.4796,   0.01583,  0.01055,  122,   4,   2",
        "gray,      0, 0.0,      0.0,      0.0,        0,   0,   0",
        "gray,     37, 0.14509803921568626, 0.14509803921568626, 0.14509803921568626, 36, 36, 36",
        "gray,    255, 1.0,      1.0,      1.0,      255, 255, 255",
    })
    void entriesEqualMatplotlibsTables(String name, int index, double r, double g, double b, int r8, int g8, int b8) {
        Colormap map = Colormap.named(name);
        assertThat(map.components(index)).containsExactly(r, g, b);
        assertThat(map.rgb(index)).isEqualTo((r8 << 16) | (g8 << 8) | b8);
    }

    @Test
    void valuesPickEntriesAsMatplotlibDoes() {
        assertThat(Colormap.indexOf(0)).isZero();
        assertThat(Colormap.indexOf(-3)).isZero();
        assertThat(Colormap.indexOf(Double.NaN)).isZero();
        assertThat(Colormap.indexOf(0.5)).isEqualTo(128);
        assertThat(Colormap.indexOf(1.0 / 256 - 1e-9)).isZero();
        assertThat(Colormap.indexOf(1.0 / 256)).isEqualTo(1);
        assertThat(Colormap.indexOf(0.999)).isEqualTo(255);
        assertThat(Colormap.indexOf(1)).isEqualTo(255);
        assertThat(Colormap.indexOf(7)).isEqualTo(255);
        assertThat(Colormap.VIRIDIS.colorOf(1)).isEqualTo(0xFDE724);
    }

    @Test
    void viridisIsTheDefaultAndEveryBuiltInIsComplete() {
        assertThat(Colormap.builtIns()).first().isSameAs(Colormap.VIRIDIS);
        assertThat(Colormap.builtIns()).extracting(Colormap::name)
                .containsExactly("viridis", "gray", "magma", "inferno", "plasma", "turbo");
        assertThat(GridRenderer.defaults().colormap()).isSameAs(Colormap.VIRIDIS);
    }

    @Test
    void unknownNamesAndBadTablesAreRefusedClearly() {
        assertThatThrownBy(() -> Colormap.named("jet"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown colormap 'jet': choose one of [viridis, gray, magma, inferno, plasma, turbo]");
        assertThatThrownBy(() -> Colormap.of("short", new double[10][3]))
                .hasMessage("A colormap needs 256 entries, short has 10");
        double[][] bad = new double[256][3];
        bad[5][1] = 1.5;
        assertThatThrownBy(() -> Colormap.of("bad", bad))
                .hasMessage("Entry 5 of colormap bad has component 1.5 outside [0, 1]");
    }
}
