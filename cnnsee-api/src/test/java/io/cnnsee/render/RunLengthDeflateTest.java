package io.cnnsee.render;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/** Every stream inflates, with the JDK's zlib, to exactly the bytes deflated, checksum and all. */
class RunLengthDeflateTest {

    /** The zlib stream of {@code data} made of parts cut at {@code cuts}. */
    static byte[] zlib(byte[] data, int... cuts) {
        List<RunLengthDeflate.Part> parts = new ArrayList<>();
        int from = 0;
        for (int k = 0; k <= cuts.length; k++) {
            int to = k < cuts.length ? cuts[k] : data.length;
            parts.add(RunLengthDeflate.part(data, from, to - from, k == cuts.length));
            from = to;
        }
        byte[] stream = new byte[(int) RunLengthDeflate.zlibLength(parts)];
        assertThat(RunLengthDeflate.writeZlib(parts, stream, 0)).isEqualTo(stream.length);
        return stream;
    }

    static byte[] inflate(byte[] stream, int expectedLength) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stream);
            byte[] out = new byte[expectedLength + 1];
            int n = inflater.inflate(out);
            assertThat(inflater.finished()).as("the stream ends (its Adler-32 checked by zlib)").isTrue();
            assertThat(inflater.getRemaining()).as("bytes after the stream").isZero();
            return Arrays.copyOf(out, n);
        } finally {
            inflater.end();
        }
    }

    static void assertRoundTrip(byte[] data, int... cuts) throws DataFormatException {
        byte[] stream = zlib(data, cuts);
        assertThat(inflate(stream, data.length)).isEqualTo(data);
        Adler32 adler = new Adler32();
        adler.update(data);
        int end = stream.length;
        long stored = (stream[end - 4] & 0xFFL) << 24 | (stream[end - 3] & 0xFF) << 16
                | (stream[end - 2] & 0xFF) << 8 | (stream[end - 1] & 0xFF);
        assertThat(stored).isEqualTo(adler.getValue());
    }

    @Test
    void shortAndEmptyInputs() throws DataFormatException {
        assertRoundTrip(new byte[0]);
        assertRoundTrip(new byte[] {7});
        assertRoundTrip(new byte[] {7, 7});
        assertRoundTrip(new byte[] {7, 7, 7});
        assertRoundTrip(new byte[] {7, 7, 7, 7});
        assertRoundTrip(new byte[] {7, 7, 7, 7, 7});
        assertRoundTrip(new byte[] {1, 2, 3});
    }

    @Test
    void everyRunLengthFrom1To600() throws DataFormatException {
        // Runs up to 258 are one match each; longer ones are split, with the remainder as literals or a run.
        for (int n = 1; n <= 600; n++) {
            byte[] data = new byte[n + 2];
            data[0] = 5;
            Arrays.fill(data, 1, n + 1, (byte) 9);
            data[n + 1] = 4;
            assertRoundTrip(data);
        }
    }

    @Test
    void runsOfEveryLengthInOneStream() throws DataFormatException {
        SplittableRandom random = new SplittableRandom(3);
        byte[] data = new byte[200_000];
        int i = 0;
        while (i < data.length) {
            int n = Math.min(data.length - i, 1 + random.nextInt(300));
            byte b = (byte) random.nextInt(256);
            Arrays.fill(data, i, i + n, b);
            i += n;
            if (i < data.length) {
                data[i++] = (byte) random.nextInt(256);
            }
        }
        assertRoundTrip(data);
    }

    @Test
    void noiseOfEveryByteValue() throws DataFormatException {
        byte[] data = new byte[100_000];
        new SplittableRandom(11).nextBytes(data);
        assertRoundTrip(data);
        assertThat(zlib(data).length)
                .as("incompressible bytes grow only by the code tables and framing")
                .isLessThan(data.length + 400);
    }

    @Test
    void skewedCountsThatWouldNeedCodesLongerThan15Bits() throws DataFormatException {
        // Counts 1, 2, 4, 8, ... make the optimal Huffman code a chain as deep as there are symbols.
        int[] skewed = new int[20];
        for (int k = 0; k < skewed.length; k++) {
            skewed[k] = 1 << k;
        }
        // Each byte is followed by a filler (254 and 255 in turn), so no byte equals the one before
        // it and every byte is a literal: the counts below are exactly those the encoder codes.
        int total = Arrays.stream(skewed).sum();
        byte[] data = new byte[2 * total];
        int[] counts = new int[256];
        int at = 0;
        for (int k = 0; k < skewed.length; k++) {
            for (int j = 0; j < skewed[k]; j++) {
                data[at++] = (byte) k;
                counts[k]++;
                int filler = 254 + (at / 2) % 2;
                data[at++] = (byte) filler;
                counts[filler]++;
            }
        }
        int[] withEnd = Arrays.copyOf(counts, 257);
        withEnd[256] = 1; // the end-of-block code
        int unlimited = Arrays.stream(RunLengthDeflate.codeLengths(withEnd, 64)).max().orElseThrow();
        assertThat(unlimited).as("the optimal code's depth, without the limit").isGreaterThan(15);
        assertRoundTrip(data);
    }

    /**
     * The search for the next run, eight positions at a time, finds what the rule read byte by
     * byte finds: from every start, in parts cut anywhere, runs at every position of a word and
     * at the part's edges (a run cannot start at its first byte or within 2 of its end).
     */
    @Test
    void nextRunFindsWhatTheRuleSaysByteByByte() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] data = new byte[700];
        for (int i = 0; i < data.length; i++) {
            // Few values, so that equal neighbours and runs of 2, 3, 4 ... come often.
            data[i] = (byte) (random.nextInt(100) < 55 ? (i > 0 ? data[i - 1] : 0) : random.nextInt(3));
        }
        int found = 0;
        for (int offset = 0; offset < 20; offset++) {
            for (int end = data.length - 20; end <= data.length; end++) {
                for (int i = offset; i <= end; i++) {
                    int expected = end;
                    for (int k = Math.max(i, offset + 1); k < end - 2; k++) {
                        if (data[k] == data[k - 1] && data[k] == data[k + 1] && data[k] == data[k + 2]) {
                            expected = k;
                            break;
                        }
                    }
                    assertThat(RunLengthDeflate.nextRun(data, i, offset, end))
                            .as("from %d in [%d, %d)", i, offset, end).isEqualTo(expected);
                    found += expected < end ? 1 : 0;
                }
            }
        }
        assertThat(found).as("searches that found a run").isGreaterThan(50_000);
    }

    @Test
    void partsMadeApartJoinIntoOneStream() throws DataFormatException {
        byte[] data = new byte[300_000];
        SplittableRandom random = new SplittableRandom(4);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i % 1000 < 400 ? 0 : random.nextInt(40));
        }
        assertRoundTrip(data, 100_000, 200_000);
        // A run across a cut, parts of one byte, an empty part.
        assertRoundTrip(data, 0, 1, 2, 50, 50, 51, 299_999);
    }

    @Test
    void checksumsCombineAsOverTheWhole() {
        SplittableRandom random = new SplittableRandom(6);
        for (int trial = 0; trial < 200; trial++) {
            byte[] data = new byte[random.nextInt(1, 200_000)];
            random.nextBytes(data);
            int cut = random.nextInt(data.length + 1);
            Adler32 first = new Adler32();
            first.update(data, 0, cut);
            Adler32 second = new Adler32();
            second.update(data, cut, data.length - cut);
            Adler32 whole = new Adler32();
            whole.update(data);
            assertThat(RunLengthDeflate.combineAdler((int) first.getValue(), (int) second.getValue(), data.length - cut))
                    .as("cut at %d of %d", cut, data.length).isEqualTo((int) whole.getValue());
        }
    }

    @Test
    void codeLengthsAreCompleteAndLimited() {
        int[] fibonacci = new int[40];
        fibonacci[0] = 1;
        fibonacci[1] = 1;
        for (int k = 2; k < fibonacci.length; k++) {
            fibonacci[k] = fibonacci[k - 1] + fibonacci[k - 2];
        }
        assertThat(Arrays.stream(RunLengthDeflate.codeLengths(fibonacci, 64)).max().orElseThrow())
                .as("the optimal code's depth, without the limit").isGreaterThan(15);
        for (int limit : new int[] {7, 15}) {
            int[] lengths = RunLengthDeflate.codeLengths(fibonacci, limit);
            double kraft = 0;
            for (int l : lengths) {
                assertThat(l).isBetween(1, limit);
                kraft += Math.pow(2, -l);
            }
            assertThat(kraft).as("a complete prefix code").isEqualTo(1.0);
        }
        // One used symbol still gets a complete code of two one-bit codes.
        int[] one = new int[19];
        one[4] = 10;
        int[] lengths = RunLengthDeflate.codeLengths(one, 7);
        assertThat(lengths[4]).isEqualTo(1);
        assertThat(Arrays.stream(lengths).filter(l -> l > 0).count()).isEqualTo(2);
    }

    @Test
    void optimalWhereNoLimitBites() {
        // Counts 1, 1, 2, 4: the Huffman code has lengths 3, 3, 2, 1.
        assertThat(RunLengthDeflate.codeLengths(new int[] {1, 1, 2, 4}, 15)).containsExactly(3, 3, 2, 1);
    }

    @Test
    void canonicalCodesFollowRfc1951() {
        // RFC 1951, 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) give codes 010 011 100 101 110 00 1110 1111,
        // sent first bit first, so stored bit-reversed.
        int[] codes = RunLengthDeflate.canonicalCodes(new int[] {3, 3, 3, 3, 3, 2, 4, 4});
        int[] expected = {0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111};
        int[] lengths = {3, 3, 3, 3, 3, 2, 4, 4};
        for (int s = 0; s < codes.length; s++) {
            assertThat(codes[s]).as("symbol %d", s).isEqualTo(Integer.reverse(expected[s]) >>> (32 - lengths[s]));
        }
    }
}
