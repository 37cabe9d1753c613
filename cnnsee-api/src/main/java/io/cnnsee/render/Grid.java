package io.cnnsee.render;

import io.cnnsee.ImageLoader;
import io.cnnsee.report.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A rendered grid of channels: the picture and where each channel sits in it. Immutable: the
 * picture is copied on the way in and on the way out.
 */
public final class Grid {

    private final BufferedImage image;
    private final int rows;
    private final int columns;
    private final List<Tile> tiles;

    Grid(BufferedImage image, int rows, int columns, List<Tile> tiles) {
        this.image = Objects.requireNonNull(image, "image");
        this.rows = rows;
        this.columns = columns;
        this.tiles = List.copyOf(tiles);
    }

    /** A copy of the grid picture (RGB). */
    public BufferedImage image() {
        return ImageLoader.copyRgb(image);
    }

    public int width() {
        return image.getWidth();
    }

    public int height() {
        return image.getHeight();
    }

    /** The colour of pixel ({@code x}, {@code y}) as {@code 0xRRGGBB}. */
    public int rgb(int x, int y) {
        return image.getRGB(x, y) & 0xFFFFFF;
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    /** The tiles in rank order, left to right, top to bottom. */
    public List<Tile> tiles() {
        return tiles;
    }

    /** The grid as PNG bytes. */
    public byte[] toPng() {
        return Png.encode(image);
    }

    /** Writes the grid as a PNG file; the file appears whole or not at all. */
    public void writePng(Path file) throws IOException {
        AtomicFiles.write(file, toPng());
    }
}
