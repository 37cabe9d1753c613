package io.cnnsee.render;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Adler32;

/**
 * A zlib stream (RFC 1950/1951) made of one dynamic-Huffman deflate block whose only matches are
 * runs of one repeated byte (distance 1). For PNG rows after filtering, flat areas become runs of
 * zeros, and the rest is coded byte by byte with a Huffman code fitted to this picture: no search
 * for earlier matches, which is where zlib spends its time. With the filtering around it, a PNG is
 * made about 5 times as fast as by Java's encoder at deflate's fastest level, the files a few to
 * 27 % larger (docs/performance.md).
 */
final class RunLengthDeflate {

    private static final int END_OF_BLOCK = 256;
    private static final int LITERAL_CODES = 286;
    private static final int MIN_RUN = 3;
    private static final int MAX_RUN = 258;
    private static final int MAX_CODE_BITS = 15;
    private static final int MAX_CODE_LENGTH_BITS = 7;
    /** The order in which the code lengths of the code-length alphabet are sent (RFC 1951, 3.2.7). */
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    /** For each run length 3..258: its length code (257..285) and the value of its extra bits. */
    private static final int[] RUN_SYMBOL = new int[MAX_RUN + 1];
    private static final int[] RUN_EXTRA_VALUE = new int[MAX_RUN + 1];
    /** For each literal/length code: the extra bits that follow it (0 but for length codes). */
    private static final int[] SYMBOL_EXTRA_BITS = new int[LITERAL_CODES];

    static {
        int[] base = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
        int[] extra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        for (int code = 0; code < base.length; code++) {
            int last = code + 1 < base.length ? Math.min(base[code] + (1 << extra[code]) - 1, 257) : 258;
            for (int length = base[code]; length <= last; length++) {
                RUN_SYMBOL[length] = 257 + code;
                SYMBOL_EXTRA_BITS[257 + code] = extra[code];
                RUN_EXTRA_VALUE[length] = length - base[code];
            }
        }
    }

    private static final VarHandle LONG_LITTLE_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private RunLengthDeflate() {
    }

    /**
     * A stretch of the data deflated on its own: the first {@code length} bytes of {@code bytes}
     * (the writer needs room past them), ending on a byte boundary, and the Adler-32 checksum and
     * length of the data it holds. Parts are made independently, on any thread, and joined by
     * {@link #writeZlib}.
     */
    record Part(byte[] bytes, int length, int adler, int dataLength) {
    }

    /**
     * {@code data[offset, offset + length)} as deflate blocks: one dynamic-Huffman block, the last
     * of the stream if {@code last}; otherwise followed by an empty stored block, which ends the
     * part on a byte boundary so that the next part's bytes can simply follow (zlib's sync flush).
     */
    static Part part(byte[] data, int offset, int length, boolean last) {
        int[] frequency = new int[LITERAL_CODES];
        Runs runs = count(data, offset, length, frequency);
        frequency[END_OF_BLOCK] = 1;
        int[] literalLengths = codeLengths(frequency, MAX_CODE_BITS);
        // Two distance codes of one bit: a complete code, as strict decoders want; only distance 1 is used.
        int[] distanceLengths = {1, 1};

        int[] all = new int[LITERAL_CODES + distanceLengths.length];
        System.arraycopy(literalLengths, 0, all, 0, LITERAL_CODES);
        System.arraycopy(distanceLengths, 0, all, LITERAL_CODES, distanceLengths.length);
        int[] codeLengthFrequency = new int[19];
        for (int l : all) {
            codeLengthFrequency[l]++;
        }
        int[] codeLengthLengths = codeLengths(codeLengthFrequency, MAX_CODE_LENGTH_BITS);

        long bits = 3 + 5 + 5 + 4 + 19 * 3;
        for (int l : all) {
            bits += codeLengthLengths[l];
        }
        for (int s = 0; s < LITERAL_CODES; s++) {
            // A length code is followed by its extra bits and the distance's code.
            int distance = s > END_OF_BLOCK ? distanceLengths[0] : 0;
            bits += (long) frequency[s] * (literalLengths[s] + SYMBOL_EXTRA_BITS[s] + distance);
        }
        // Not last: 3 bits of an empty stored block's header, then its 4 bytes of lengths.
        long size = last ? (bits + 7) / 8 : (bits + 3 + 7) / 8 + 4;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("Too much data for one deflate block: " + length + " bytes");
        }

        BitWriter out = new BitWriter(new byte[(int) size + Long.BYTES]);
        out.write(last ? 1 : 0, 1);
        out.write(2, 2); // dynamic Huffman codes
        out.write(LITERAL_CODES - 257, 5);
        out.write(distanceLengths.length - 1, 5);
        out.write(19 - 4, 4);
        for (int symbol : CODE_LENGTH_ORDER) {
            out.write(codeLengthLengths[symbol], 3);
        }
        int[] codeLengthCodes = canonicalCodes(codeLengthLengths);
        for (int l : all) {
            out.write(codeLengthCodes[l], codeLengthLengths[l]);
        }
        int[] literalCodes = canonicalCodes(literalLengths);
        int[] distanceCodes = canonicalCodes(distanceLengths);
        // A run is sent as one string of bits: its length code, the length's extra bits, distance 1.
        int[] runCodes = new int[MAX_RUN + 1];
        int[] runLengths = new int[MAX_RUN + 1];
        for (int n = MIN_RUN; n <= MAX_RUN; n++) {
            int symbol = RUN_SYMBOL[n];
            int extra = SYMBOL_EXTRA_BITS[symbol];
            runCodes[n] = literalCodes[symbol] | RUN_EXTRA_VALUE[n] << literalLengths[symbol]
                    | distanceCodes[0] << (literalLengths[symbol] + extra);
            runLengths[n] = literalLengths[symbol] + extra + distanceLengths[0];
        }
        emit(data, offset, length, runs, literalCodes, literalLengths, runCodes, runLengths, out);
        out.write(literalCodes[END_OF_BLOCK], literalLengths[END_OF_BLOCK]);
        if (!last) {
            out.write(0, 3); // not last, stored
            out.flushToByte();
            out.write(0, 16); // length 0
            out.write(0xFFFF, 16); // and its complement
        }
        out.flushToByte();
        if (out.position != size) {
            throw new IllegalStateException("Deflate wrote " + out.position + " bytes where it counted " + size);
        }
        Adler32 adler = new Adler32();
        adler.update(data, offset, length);
        return new Part(out.bytes, out.position, (int) adler.getValue(), length);
    }

    /** The length of the zlib stream {@link #writeZlib} makes of {@code parts}. */
    static long zlibLength(List<Part> parts) {
        long n = 2 + 4;
        for (Part p : parts) {
            n += p.length();
        }
        return n;
    }

    /**
     * Writes the zlib stream of {@code parts} (the last made with {@code last}) into {@code out}
     * at {@code at}: header, the parts' bytes, and the checksum of all their data, combined from
     * theirs. Returns the position after it.
     */
    static int writeZlib(List<Part> parts, byte[] out, int at) {
        out[at++] = 0x78; // deflate, 32 KiB window
        out[at++] = 0x01; // fastest level; (0x78 << 8 | 0x01) % 31 == 0
        int adler = 1;
        for (Part p : parts) {
            System.arraycopy(p.bytes(), 0, out, at, p.length());
            at += p.length();
            adler = combineAdler(adler, p.adler(), p.dataLength());
        }
        out[at++] = (byte) (adler >>> 24);
        out[at++] = (byte) (adler >>> 16);
        out[at++] = (byte) (adler >>> 8);
        out[at++] = (byte) adler;
        return at;
    }

    /** The Adler-32 of two pieces of data one after the other, from theirs (as zlib's adler32_combine). */
    static int combineAdler(int first, int second, long secondLength) {
        final long base = 65521;
        long remainder = secondLength % base;
        long sum1 = first & 0xFFFF;
        long sum2 = remainder * sum1 % base;
        sum1 += (second & 0xFFFF) + base - 1;
        sum2 += (first >>> 16 & 0xFFFF) + (second >>> 16 & 0xFFFF) + base - remainder;
        sum1 %= base;
        sum2 %= base;
        return (int) (sum2 << 16 | sum1);
    }

    /**
     * Splits {@code data} into literals and runs, counts the symbols into {@code frequency} and
     * returns the runs, so that {@link #emit} writes them without looking for them again.
     */
    private static Runs count(byte[] data, int offset, int length, int[] frequency) {
        // Literals are counted into four tables by position, so that a byte repeated nearby does
        // not wait on the count it just stored (with one table the loop took about 1.4 times as long).
        int[] literals = new int[4 << 8];
        Runs runs = new Runs();
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int run = nextRun(data, i, offset, end);
            for (; i < run; i++) {
                literals[(i & 3) << 8 | data[i] & 0xFF]++;
            }
            if (run < end) {
                int n = runAt(data, run, end);
                frequency[RUN_SYMBOL[n]]++;
                runs.add(run, n);
                i = run + n;
            }
        }
        for (int b = 0; b < 256; b++) {
            frequency[b] += literals[b] + literals[256 + b] + literals[512 + b] + literals[768 + b];
        }
        return runs;
    }

    /** Where each run starts and how long it is, in the order found. */
    private static final class Runs {
        int[] startAndLength = new int[512];
        int size;

        void add(int start, int length) {
            if (2 * size + 2 > startAndLength.length) {
                startAndLength = Arrays.copyOf(startAndLength, 2 * startAndLength.length);
            }
            startAndLength[2 * size] = start;
            startAndLength[2 * size + 1] = length;
            size++;
        }
    }

    /**
     * Where the next run starts from {@code i} on, or {@code end} if none does: a run starts at a
     * byte equal to the one before it (within the part) when the next two equal it too. Eight
     * positions are tested at once, as bytes equal to the byte before them, so that the mostly
     * unequal bytes of a picture cost one branch per eight, not one each.
     */
    static int nextRun(byte[] data, int i, int offset, int end) {
        if (i == offset) {
            i++; // the part's first byte has nothing before it
        }
        while (i + Long.BYTES + 2 <= end) {
            long before = (long) LONG_LITTLE_ENDIAN.get(data, i - 1);
            long at = (long) LONG_LITTLE_ENDIAN.get(data, i);
            long next = (long) LONG_LITTLE_ENDIAN.get(data, i + 1);
            long afterNext = (long) LONG_LITTLE_ENDIAN.get(data, i + 2);
            // Byte k of each is 0x80 where data[i + k] equals data[i + k - 1], the next, the one after.
            long starts = zeroBytes(at ^ before) & zeroBytes(next ^ at) & zeroBytes(afterNext ^ next);
            if (starts != 0) {
                return i + (Long.numberOfTrailingZeros(starts) >>> 3);
            }
            i += Long.BYTES;
        }
        for (; i < end - 2; i++) {
            byte b = data[i];
            if (b == data[i - 1] && b == data[i + 1] && b == data[i + 2]) {
                return i;
            }
        }
        return end;
    }

    /** 0x80 in each byte of {@code x} that is zero, 0 in the others (exact, without carries between bytes). */
    private static long zeroBytes(long x) {
        final long low7 = 0x7F7F7F7F7F7F7F7FL;
        return ~((x & low7) + low7 | x | low7);
    }

    /**
     * How many bytes from {@code i} on (up to {@code end}) equal {@code data[i - 1]}, at most a
     * run's longest; compared 8 at a time, as flat parts of a picture are long runs.
     */
    private static int runAt(byte[] data, int i, int dataEnd) {
        byte b = data[i - 1];
        long pattern = (b & 0xFFL) * 0x0101010101010101L;
        int end = i;
        int limit = Math.min(dataEnd, i + MAX_RUN);
        while (end + Long.BYTES <= limit) {
            long differ = (long) LONG_LITTLE_ENDIAN.get(data, end) ^ pattern;
            if (differ != 0) {
                return end + (Long.numberOfTrailingZeros(differ) >>> 3) - i;
            }
            end += Long.BYTES;
        }
        while (end < limit && data[end] == b) {
            end++;
        }
        return end - i;
    }

    /**
     * Writes the tokens {@link #count} counted: literals three codes to a write (at most 45 bits),
     * a run as one string of bits, its length code, extra bits and distance together.
     */
    private static void emit(byte[] data, int offset, int length, Runs runs, int[] codes, int[] lengths, int[] runCodes,
                             int[] runLengths, BitWriter out) {
        int end = offset + length;
        int i = offset;
        int[] found = runs.startAndLength;
        for (int k = 0; k <= runs.size; k++) {
            int run = k < runs.size ? found[2 * k] : end;
            for (; i + 3 <= run; i += 3) {
                int a = data[i] & 0xFF;
                int b = data[i + 1] & 0xFF;
                int c = data[i + 2] & 0xFF;
                int la = lengths[a];
                int lab = la + lengths[b];
                out.write(codes[a] | (long) codes[b] << la | (long) codes[c] << lab, lab + lengths[c]);
            }
            for (; i < run; i++) {
                int b = data[i] & 0xFF;
                out.write(codes[b], lengths[b]);
            }
            if (k < runs.size) {
                int n = found[2 * k + 1];
                out.write(runCodes[n], runLengths[n]);
                i = run + n;
            }
        }
    }

    /**
     * Huffman code lengths for {@code frequency}, none longer than {@code maxBits}: where the
     * optimal code is too deep, the counts are halved (keeping every used symbol) and the code
     * made again. Always at least two codes, so that the code is complete.
     */
    static int[] codeLengths(int[] frequency, int maxBits) {
        int n = frequency.length;
        long[] f = new long[n];
        int used = 0;
        for (int s = 0; s < n; s++) {
            f[s] = frequency[s];
            if (f[s] > 0) {
                used++;
            }
        }
        // A single symbol still needs a complete code: give it a partner that is never sent.
        for (int s = 0; used < 2 && s < n; s++) {
            if (f[s] == 0) {
                f[s] = 1;
                used++;
            }
        }
        while (true) {
            int[] lengths = huffman(f);
            int max = 0;
            for (int l : lengths) {
                max = Math.max(max, l);
            }
            if (max <= maxBits) {
                return lengths;
            }
            for (int s = 0; s < n; s++) {
                if (f[s] > 0) {
                    f[s] = (f[s] + 1) / 2;
                }
            }
        }
    }

    /**
     * Optimal code lengths by the two-queue method: the used symbols sorted by count (ties by
     * symbol, so the result is the same every time), merged nodes made in order of weight.
     */
    private static int[] huffman(long[] frequency) {
        int n = frequency.length;
        int used = 0;
        long[] keys = new long[n];
        for (int s = 0; s < n; s++) {
            if (frequency[s] > 0) {
                // Counts fit in 40 bits (the picture is under 2^31 bytes), the symbol in the low 16.
                keys[used++] = frequency[s] << 16 | s;
            }
        }
        Arrays.sort(keys, 0, used);
        int nodes = 2 * used - 1;
        long[] weight = new long[nodes];
        int[] parent = new int[nodes];
        int[] symbol = new int[used];
        for (int k = 0; k < used; k++) {
            weight[k] = keys[k] >>> 16;
            symbol[k] = (int) (keys[k] & 0xFFFF);
        }
        int leaf = 0;
        int merged = used;
        for (int next = used; next < nodes; next++) {
            int a = leaf < used && (merged >= next || weight[leaf] <= weight[merged]) ? leaf++ : merged++;
            int b = leaf < used && (merged >= next || weight[leaf] <= weight[merged]) ? leaf++ : merged++;
            weight[next] = weight[a] + weight[b];
            parent[a] = next;
            parent[b] = next;
        }
        // Depths from the root down: a node's parent always comes after it.
        int[] depth = new int[nodes];
        for (int k = nodes - 2; k >= 0; k--) {
            depth[k] = depth[parent[k]] + 1;
        }
        int[] lengths = new int[n];
        for (int k = 0; k < used; k++) {
            lengths[symbol[k]] = depth[k];
        }
        return lengths;
    }

    /** Canonical codes for the lengths (RFC 1951, 3.2.2), bit-reversed as deflate sends them first bit first. */
    static int[] canonicalCodes(int[] lengths) {
        int[] count = new int[MAX_CODE_BITS + 1];
        for (int l : lengths) {
            count[l]++;
        }
        count[0] = 0;
        int[] next = new int[MAX_CODE_BITS + 2];
        int code = 0;
        for (int bits = 1; bits <= MAX_CODE_BITS; bits++) {
            code = (code + count[bits - 1]) << 1;
            next[bits] = code;
        }
        int[] codes = new int[lengths.length];
        for (int s = 0; s < lengths.length; s++) {
            int l = lengths[s];
            if (l > 0) {
                codes[s] = Integer.reverse(next[l]++) >>> (32 - l);
            }
        }
        return codes;
    }

    /**
     * Bits into a byte array, first bit first, through a 64-bit buffer that holds fewer than 8
     * bits between writes. Each write stores 8 bytes and moves on by the whole bytes written, so
     * there is no branch on whether the buffer is full (mispredicted on every few codes); the
     * array has 8 bytes to spare at its end.
     */
    private static final class BitWriter {
        final byte[] bytes;
        int position;
        private long buffer;
        private int count;

        BitWriter(byte[] bytes) {
            this.bytes = bytes;
        }

        /** Writes the low {@code bits} of {@code value}, at most 57. */
        void write(long value, int bits) {
            buffer |= value << count;
            count += bits;
            LONG_LITTLE_ENDIAN.set(bytes, position, buffer);
            int whole = count >>> 3;
            position += whole;
            buffer >>>= whole << 3;
            count &= 7;
        }

        /** Ends the bits on a byte boundary. */
        void flushToByte() {
            if (count > 0) {
                bytes[position++] = (byte) buffer;
            }
            count = 0;
            buffer = 0;
        }
    }
}
