package io.cnnsee.render;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FiltersTest {

    @Test
    void eachWeightIsAColourScaledByItsOwnKernel() {
        // Two 2 x 2 kernels. Kernel 0: red plane 0..3, green all 4, blue all -4 (range -4..4).
        // Kernel 1: constant, so mid-grey.
        float[] kernels = {
                0, 1, 2, 3, 4, 4, 4, 4, -4, -4, -4, -4,
                7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
        BufferedImage out = Filters.render(kernels, 2, 2, 3, 8);
        assertThat(out.getWidth()).isEqualTo(2 * 6 + 1);
        assertThat(out.getHeight()).isEqualTo(6);
        // Kernel 0, weight (row 1, column 0): red 2 -> (2+4)/8, green 4 -> 255, blue -4 -> 0.
        int r = (int) Math.round(255.0 * 6 / 8);
        assertThat(out.getRGB(0 * 3 + 1, 1 * 3 + 2) & 0xFFFFFF).isEqualTo(r << 16 | 255 << 8);
        assertThat(out.getRGB(1 * 3, 0) & 0xFFFFFF).isEqualTo((int) Math.round(255.0 * 5 / 8) << 16 | 255 << 8);
        assertThat(out.getRGB(6, 3) & 0xFFFFFF).as("the gap between tiles").isEqualTo(0xFFFFFF);
        assertThat(out.getRGB(7 + 4, 5) & 0xFFFFFF).as("a constant kernel").isEqualTo(0x808080);
    }

    @Test
    void wrongSizesAreRefusedWithTheNumbers() {
        assertThatThrownBy(() -> Filters.render(new float[10], 1, 2, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("1 kernels of 3 x 2 x 2 need 12 values, got 10");
    }
}
