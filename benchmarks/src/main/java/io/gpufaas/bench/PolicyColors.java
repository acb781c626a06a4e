package io.gpufaas.bench;

import java.awt.Color;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One colour per routing policy, the same in every chart the benchmarks draw, chosen to be told
 * apart (ours in red, round-robin, the baseline, in grey). A policy not listed gets black.
 */
final class PolicyColors {

    private static final Map<String, Color> COLORS = Map.of(
            "round-robin", new Color(0x80, 0x80, 0x80),
            "least-loaded", new Color(0x1f, 0x77, 0xb4),
            "ch-bl", new Color(0xff, 0x7f, 0x0e),
            "lalb", new Color(0x2c, 0xa0, 0x2c),
            "lalb-o3", new Color(0x17, 0xbe, 0xcf),
            "ect-o3", new Color(0x94, 0x67, 0xbd),
            "demand", new Color(0xd6, 0x27, 0x28));

    private PolicyColors() {}

    static Color of(String policy) {
        return COLORS.getOrDefault(policy, Color.BLACK);
    }

    /** The same colour, see-through: for a band behind the lines. */
    static Color translucent(String policy) {
        Color c = of(policy);
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), 60);
    }

    /**
     * Adds {@code policy}'s empirical CDF over {@code sorted} (ascending) to {@code chart}: a line in
     * its colour, without markers, reaching 1 at the last value. Nothing is added for no values.
     */
    static void cdfLine(XYChart chart, String policy, double[] sorted) {
        cdfLine(chart, policy, sorted, of(policy));
    }

    /** The same for a line that is not one policy's: {@code label} in the legend, in {@code color}. */
    static void cdfLine(XYChart chart, String label, double[] sorted, Color color) {
        if (sorted.length == 0) {
            return;
        }
        double[] y = new double[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            y[i] = (i + 1) / (double) sorted.length;
        }
        paint(chart.addSeries(label, sorted, y), color).setMarker(SeriesMarkers.NONE);
    }

    /** Colours {@code series} as {@code policy}'s line and markers. */
    static XYSeries paint(XYSeries series, String policy) {
        return paint(series, of(policy));
    }

    private static XYSeries paint(XYSeries series, Color color) {
        series.setLineColor(color);
        series.setMarkerColor(color);
        return series;
    }
}
