package io.cnnsee.dl4j;

import io.cnnsee.FeatureMapInspector;
import io.cnnsee.Inspection;
import io.cnnsee.Prediction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** VGG16 with its top names the classes it sees; without, it names none. */
class PredictionsTest {

    static final Vgg16Architecture TINY_WITH_TOP = new Vgg16Architecture(new int[] {2, 2, 3, 3, 4}, 32, true, 6, 9);

    @Test
    void probabilitiesSumToOneAndTheTopFiveAreTheLargestInOrder() {
        try (Vgg16Model model = Vgg16.builder().architecture(TINY_WITH_TOP).weights(Vgg16Weights.random(8)).build()) {
            var picture = TestImages.noise(40, 30, 2);
            float[] all = model.predict(picture);
            assertThat(all).hasSize(9);
            double sum = 0;
            for (float p : all) {
                sum += p;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));

            Inspection result = FeatureMapInspector.builder().model(model).build().run(picture);
            List<Prediction> top = result.predictions();
            assertThat(top).hasSize(5).isSortedAccordingTo(Prediction.MOST_PROBABLE_FIRST);
            for (Prediction p : top) {
                assertThat(p.probability()).as("class %d", p.classIndex()).isCloseTo(all[p.classIndex()], within(1e-6));
                assertThat(p.label()).isEqualTo("class " + p.classIndex());
            }
            float fifth = all[top.get(4).classIndex()];
            long larger = 0;
            for (float p : all) {
                if (p > fifth) {
                    larger++;
                }
            }
            assertThat(larger).as("classes more probable than the fifth").isLessThanOrEqualTo(4);
        }
    }

    @Test
    void withoutTopThereAreNoPredictions() {
        try (Vgg16Model model = Vgg16.builder().architecture(Vgg16ModelTest.TINY).weights(Vgg16Weights.random(8)).build()) {
            assertThat(model.capability(io.cnnsee.Classifying.class)).isEmpty();
            assertThat(FeatureMapInspector.builder().model(model).build().run(TestImages.noise(8, 8, 1)).predictions()).isEmpty();
        }
    }

    @Test
    void theThousandImageNetNamesAreInKerasOrder() {
        assertThat(ImageNetClasses.labels()).hasSize(1000).doesNotContainNull().allSatisfy(l -> assertThat(l).isNotBlank());
        assertThat(ImageNetClasses.label(0)).isEqualTo("tench, Tinca tinca");
        assertThat(ImageNetClasses.label(281)).isEqualTo("tabby, tabby cat");
        assertThat(ImageNetClasses.label(285)).isEqualTo("Egyptian cat");
        assertThat(ImageNetClasses.label(999)).isEqualTo("toilet tissue, toilet paper, bathroom tissue");
        assertThatThrownBy(() -> ImageNetClasses.label(1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ImageNet has classes 0 to 999, not 1000");
    }

    @Test
    void theStandardNetworkNamesItsClassesFromImageNet() {
        try (Vgg16Model model = Vgg16.builder().includeTop(true).weights(Vgg16Weights.random(1))
                .architecture(Vgg16Architecture.standard(true).withInputSize(32)).build()) {
            assertThat(model.capability(io.cnnsee.Classifying.class).map(io.cnnsee.Classifying::classifier)).hasValueSatisfying(t -> assertThat(t.layerName()).isEqualTo("predictions"));
            assertThat(model.classLabel(281)).isEqualTo("tabby, tabby cat");
        }
    }
}
