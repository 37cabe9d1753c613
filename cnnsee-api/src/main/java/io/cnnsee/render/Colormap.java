package io.cnnsee.render;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A table of 256 colours that turns a value in [0, 1] into a colour, the way matplotlib does.
 *
 * <p>The built-in tables are matplotlib's own ({@code viridis}, the default of its
 * {@code imshow}, and {@code magma}, {@code inferno}, {@code plasma}, {@code turbo},
 * {@code gray}), so grids look like the ones people know. As in matplotlib, a value {@code t}
 * picks entry {@code floor(t * 256)} (1 picks the last entry), and an entry's 8-bit colour is
 * {@code (int) (component * 255)}, matplotlib's {@code bytes=True} conversion.
 */
public final class Colormap {

    /** Number of entries in every colormap. */
    public static final int SIZE = 256;

    public static final Colormap VIRIDIS = load("viridis");
    public static final Colormap GRAY = load("gray");
    public static final Colormap MAGMA = load("magma");
    public static final Colormap INFERNO = load("inferno");
    public static final Colormap PLASMA = load("plasma");
    public static final Colormap TURBO = load("turbo");

    private static final List<Colormap> BUILT_INS = List.of(VIRIDIS, GRAY, MAGMA, INFERNO, PLASMA, TURBO);

    private final String name;
    private final double[] components; // r, g, b per entry, in [0, 1]
    private final int[] rgb;           // 0xRRGGBB per entry
    private final int[] palette;       // the distinct colours, in the order of the entries
    private final byte[] paletteIndices; // for each entry, the index of its colour in the palette

    private Colormap(String name, double[] components) {
        this.name = name;
        this.components = components;
        this.rgb = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            int r = toByte(components[3 * i]);
            int g = toByte(components[3 * i + 1]);
            int b = toByte(components[3 * i + 2]);
            rgb[i] = (r << 16) | (g << 8) | b;
        }
        // Neighbouring entries can round to one 8-bit colour (viridis has 254 distinct, gray 232).
        int[] distinct = new int[SIZE];
        int count = 0;
        this.paletteIndices = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            int at = 0;
            while (at < count && distinct[at] != rgb[i]) {
                at++;
            }
            if (at == count) {
                distinct[count++] = rgb[i];
            }
            paletteIndices[i] = (byte) at;
        }
        this.palette = Arrays.copyOf(distinct, count);
    }

    /**
     * A colormap of your own: 256 entries of red, green, blue in [0, 1].
     *
     * @param name    shown in reports
     * @param entries 256 rows of 3 components
     */
    public static Colormap of(String name, double[][] entries) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(entries, "entries");
        if (entries.length != SIZE) {
            throw new IllegalArgumentException("A colormap needs " + SIZE + " entries, " + name + " has " + entries.length);
        }
        double[] components = new double[3 * SIZE];
        for (int i = 0; i < SIZE; i++) {
            if (entries[i] == null || entries[i].length != 3) {
                throw new IllegalArgumentException("Entry " + i + " of colormap " + name + " must have 3 components (r, g, b)");
            }
            for (int k = 0; k < 3; k++) {
                double v = entries[i][k];
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException("Entry " + i + " of colormap " + name
                            + " has component " + v + " outside [0, 1]");
                }
                components[3 * i + k] = v;
            }
        }
        return new Colormap(name, components);
    }

    /** The built-in colormaps, the default first. */
    public static List<Colormap> builtIns() {
        return BUILT_INS;
    }

    /**
     * The built-in colormap called {@code name}, ignoring case.
     *
     * @throws IllegalArgumentException naming the known colormaps if there is none by that name
     */
    public static Colormap named(String name) {
        Objects.requireNonNull(name, "name");
        for (Colormap c : BUILT_INS) {
            if (c.name.equalsIgnoreCase(name.strip())) {
                return c;
            }
        }
        throw new IllegalArgumentException("Unknown colormap '" + name + "': choose one of "
                + BUILT_INS.stream().map(Colormap::name).toList());
    }

    public String name() {
        return name;
    }

    /** The 8-bit colour of entry {@code index} as {@code 0xRRGGBB}. */
    public int rgb(int index) {
        Objects.checkIndex(index, SIZE);
        return rgb[index];
    }

    /**
     * The 8-bit colour for {@code t} as {@code 0xRRGGBB}: values below 0 (and NaN) take the
     * first entry, values above 1 the last.
     */
    public int colorOf(double t) {
        return rgb[indexOf(t)];
    }

    /** The distinct 0xRRGGBB colours of the entries, in their order; not a copy: for the renderer, which only reads them. */
    int[] palette() {
        return palette;
    }

    /** For each entry, the index of its colour in {@link #palette()}; not a copy, as there. */
    byte[] paletteIndices() {
        return paletteIndices;
    }

    /** The entry {@code t} picks: {@code floor(t * 256)}, clamped to 0..255; NaN picks 0. */
    public static int indexOf(double t) {
        if (!(t > 0)) {
            return 0;
        }
        return (int) Math.min(SIZE - 1, Math.floor(t * SIZE));
    }

    /** Red, green and blue of entry {@code index} in [0, 1], as published. */
    public double[] components(int index) {
        Objects.checkIndex(index, SIZE);
        return new double[] {components[3 * index], components[3 * index + 1], components[3 * index + 2]};
    }

    private static int toByte(double component) {
        return (int) (component * 255);
    }

    private static Colormap load(String name) {
        String resource = "colormaps/" + name + ".txt";
        try (InputStream in = Colormap.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Colormap table " + resource + " is missing from cnnsee-api's jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            double[][] entries = reader.lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(line -> line.trim().split("\\s+"))
                    .map(parts -> new double[] {
                        Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])})
                    .toArray(double[][]::new);
            return of(name, entries);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read colormap table " + resource, e);
        }
    }

    @Override
    public String toString() {
        return "Colormap[" + name + "]";
    }
}
