package io.cnnsee.render;

import io.cnnsee.ImageLoader;
import io.cnnsee.files.AtomicFiles;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A rendered grid of channels: the picture and where each channel sits in it. Immutable: the
 * picture is copied on the way out.
 *
 * <p>A grid is held as an 8-bit palette picture when its colours fit in one of 256: the
 * colormap's distinct colours (viridis has 254, gray 232) and the background, or for a colormap of
 * 256 colours the background in the place of one that no tile uses; without captions. That is a
 * third of the bytes and a third of the PNG encoding. Otherwise it is held as RGB.
 * {@link #image()} is RGB either way.
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

    /**
     * A copy of the grid as an 8-bit palette picture ({@link BufferedImage#TYPE_BYTE_INDEXED}, 256
     * opaque colours), the same pixels as {@link #image()}; empty when the grid's colours do not fit
     * in a palette: captions (drawn anti-aliased), or a colormap of 256 distinct colours with every one
     * of them used and a background of another colour.
     */
    public Optional<BufferedImage> indexedImage() {
        if (!(image.getColorModel() instanceof IndexColorModel model)) {
            return Optional.empty();
        }
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData().clone();
        return Optional.of(paletteImage(model, pixels, image.getWidth(), image.getHeight()));
    }

    /** A palette picture over {@code pixels}, one byte a pixel, row after row (the array itself, not a copy). */
    static BufferedImage paletteImage(IndexColorModel model, byte[] pixels, int width, int height) {
        WritableRaster raster = Raster.createInterleavedRaster(new DataBufferByte(pixels, pixels.length),
                width, height, width, 1, new int[] {0}, null);
        return new BufferedImage(model, raster, false, null);
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
