package io.cnnsee.render;

/**
 * Where one channel sits in a {@link Grid}, in pixels of the grid image.
 *
 * @param channel the channel's index in its feature map
 * @param x       left edge of the tile
 * @param y       top edge of the tile
 * @param width   tile width
 * @param height  tile height (the caption, if any, is below it)
 */
public record Tile(int channel, int x, int y, int width, int height) {
}
