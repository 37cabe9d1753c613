package io.cnnsee;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ChannelRankerTest {

    // Four 2x2 channels, scores worked out by hand below.
    private static final FeatureMap MAP = Maps.of("block1_conv2", 2, 2,
            new float[] {1, 1, 1, 1},     // sum 4, mean 1, max 1, l2 2, variance 0, active 1
            new float[] {0, 0, 0, 9},     // sum 9, mean 2.25, max 9, l2 9, variance 15.1875, active .25
            new float[] {-4, 4, 3, 3},    // sum 6, mean 1.5, max 4, l2 sqrt(50), variance 10.25, active .75
            new float[] {2, 2, 0, 0});    // sum 4, mean 1, max 2, l2 sqrt(8), variance 1, active .5

    private static List<RankedChannel> ranked(ChannelRanker ranker) {
        return ranker.rank(MAP).channels();
    }

    @Test
    void sumRanksByTotalActivationAndBreaksTiesByIndex() {
        assertThat(ranked(ChannelRanker.SUM)).containsExactly(
                new RankedChannel(1, 9), new RankedChannel(2, 6), new RankedChannel(0, 4), new RankedChannel(3, 4));
    }

    @Test
    void meanMaxL2VarianceAndActiveFractionGiveTheirExactScores() {
        assertThat(ranked(ChannelRanker.MEAN)).containsExactly(
                new RankedChannel(1, 2.25), new RankedChannel(2, 1.5), new RankedChannel(0, 1), new RankedChannel(3, 1));
        assertThat(ranked(ChannelRanker.MAX)).containsExactly(
                new RankedChannel(1, 9), new RankedChannel(2, 4), new RankedChannel(3, 2), new RankedChannel(0, 1));
        assertThat(ranked(ChannelRanker.L2)).extracting(RankedChannel::channel).containsExactly(1, 2, 3, 0);
        assertThat(ranked(ChannelRanker.L2).get(1).score()).isCloseTo(Math.sqrt(50), within(1e-12));
        assertThat(ranked(ChannelRanker.VARIANCE)).containsExactly(
                new RankedChannel(1, 15.1875), new RankedChannel(2, 10.25), new RankedChannel(3, 1), new RankedChannel(0, 0));
        assertThat(ranked(ChannelRanker.ACTIVE_FRACTION)).containsExactly(
                new RankedChannel(0, 1), new RankedChannel(2, .75), new RankedChannel(3, .5), new RankedChannel(1, .25));
    }

    /**
     * Ranking is on the path of every inspection: what it allocates grows with the channels (a
     * score and a view each), never with their values. 64 channels of 112 x 112 are 802 816 values;
     * one small object per value would be 12 MB, the bound is 64 KB.
     */
    @Test
    void builtInRankersAllocateNothingPerValue() {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()
                && t.isThreadAllocatedMemoryEnabled(), "the JVM counts what a thread allocates");
        var threads = (com.sun.management.ThreadMXBean) bean;
        Random random = new Random(3);
        float[] values = new float[64 * 112 * 112];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() - 0.3f;
        }
        FeatureMap map = FeatureMap.copyOf(Tap.of("block2_pool", new MapShape(64, 112, 112)), values);
        long thread = Thread.currentThread().getId();
        for (ChannelRanker ranker : ChannelRanker.builtIns()) {
            ranker.top(map, 12); // loads and links what the first call needs
            long before = threads.getThreadAllocatedBytes(thread);
            Ranking ranking = ranker.top(map, 12);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertThat(ranking.size()).isEqualTo(12);
            assertThat(allocated).as("bytes allocated by ranking with %s", ranker.name()).isLessThan(64 * 1024);
        }
    }

    @Test
    void topKeepsTheBestAndAllWhenAskedForMore() {
        Ranking top2 = ChannelRanker.SUM.top(MAP, 2);
        assertThat(top2.indices()).containsExactly(1, 2);
        assertThat(top2.rankerName()).isEqualTo("sum");
        assertThat(top2.tap()).isEqualTo(MAP.tap());
        assertThat(ChannelRanker.SUM.top(MAP, 12).indices()).containsExactly(1, 2, 0, 3);
        assertThatThrownBy(() -> ChannelRanker.SUM.top(MAP, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Number of channels to keep must be at least 1, was 0");
    }

    @Test
    void reversedPutsTheLowestFirstAndKeepsTiesInIndexOrder() {
        ChannelRanker lowest = ChannelRanker.SUM.reversed();
        assertThat(lowest.name()).isEqualTo("reversed sum");
        assertThat(ranked(lowest)).extracting(RankedChannel::channel).containsExactly(0, 3, 2, 1);
        assertThat(ranked(lowest).get(0).score()).isEqualTo(-4);
    }

    @Test
    void tiesAreStableWhateverTheOrderTheyAreScoredIn() {
        FeatureMap ties = Maps.of("t", 1, 1, new float[] {5}, new float[] {0}, new float[] {5}, new float[] {-0f}, new float[] {5});
        assertThat(ChannelRanker.SUM.rank(ties).indices()).containsExactly(0, 2, 4, 1, 3);
    }

    @Test
    void nanScoresRankLast() {
        FeatureMap withNaN = Maps.of("t", 1, 1, new float[] {Float.NaN}, new float[] {-1}, new float[] {2});
        assertThat(ChannelRanker.SUM.rank(withNaN).indices()).containsExactly(2, 1, 0);
    }

    @Test
    void aUserRankerSeesTheWholeChannelAndItsTap() {
        // Scores the top-left value, but only in block 1; elsewhere every channel ties.
        ChannelRanker corner = c -> c.tap().layerName().equals("block1_conv2") ? c.get(0, 0) : 0;
        assertThat(corner.rank(MAP).indices()).containsExactly(3, 0, 1, 2);
        assertThat(corner.name()).isEqualTo("custom");
        assertThat(ChannelRanker.named("corner", corner).top(MAP, 1).rankerName()).isEqualTo("corner");
        FeatureMap other = Maps.of("block2_conv2", 2, 2, MAP.channel(0).toArray(), MAP.channel(3).toArray());
        assertThat(corner.rank(other).indices()).containsExactly(0, 1);
    }

    @Test
    void builtInsAreFoundByName() {
        assertThat(ChannelRanker.builtIn("L2")).isSameAs(ChannelRanker.L2);
        assertThat(ChannelRanker.builtIn("active")).isSameAs(ChannelRanker.ACTIVE_FRACTION);
        assertThatThrownBy(() -> ChannelRanker.builtIn("median"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown ranker 'median': choose one of [sum, mean, max, l2, variance, active, grad-cam]");
    }

    @Test
    void gradCamRankingIsAGradientRankerNotAChannelRanker() {
        assertThat(ChannelRanker.GRAD_CAM).isSameAs(GradientRanker.GRAD_CAM);
        assertThat(ChannelRanker.GRAD_CAM.name()).isEqualTo("grad-cam");
        assertThatThrownBy(() -> ChannelRanker.builtIn(" Grad-CAM "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'Grad-CAM' ranks by the class gradient, which a channel alone does not carry: give"
                        + " GradientRanker.GRAD_CAM to FeatureMapInspector.Builder.ranker");
        Tap conv = Tap.of("conv", new MapShape(3, 1, 2));
        FeatureMap activations = FeatureMap.copyOf(conv, new float[] {1, 2, 5, 5, 1, 1});
        FeatureMap gradients = FeatureMap.copyOf(conv, new float[] {0.5f, 0.5f, -1, -3, 2, 4});
        FeatureMap probabilities = FeatureMap.copyOf(Tap.of("probs", new MapShape(2, 1, 1)), new float[] {0.25f, 0.75f});
        ClassGradient gradient = new ClassGradient(1, 3f, probabilities, List.of(activations), List.of(gradients));
        // Grad-CAM weights: each channel's mean gradient, 0.5, -2 and 3.
        Ranking ranking = ChannelRanker.GRAD_CAM.forClass(gradient, conv, "class 1").rank(activations);
        assertThat(ranking.rankerName()).isEqualTo("grad-cam");
        assertThat(ranking.channels()).extracting(RankedChannel::channel).containsExactly(2, 0, 1);
        assertThat(ranking.channels()).extracting(RankedChannel::score).containsExactly(3.0, 0.5, -2.0);
    }
}
