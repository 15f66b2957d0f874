package io.parley.bench.load;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** A latency distribution as reported: percentiles in milliseconds, and the curve for the chart. */
record Latency(long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs,
        List<double[]> percentileCurve) {

    static Latency of(Histogram micros) {
        List<double[]> curve = new ArrayList<>();
        if (micros.getTotalCount() > 0) {
            for (HistogramIterationValue v : micros.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo();
                if (p >= 100) {
                    break;
                }
                curve.add(new double[] {Monitor.round(p), v.getValueIteratedTo() / 1000.0});
            }
        }
        return new Latency(micros.getTotalCount(), Monitor.round(micros.getTotalCount() == 0 ? 0 : micros.getMean() / 1000),
                Monitor.ms(micros, 50), Monitor.ms(micros, 90), Monitor.ms(micros, 99), Monitor.ms(micros, 99.9),
                micros.getTotalCount() == 0 ? 0 : micros.getMaxValue() / 1000.0, curve);
    }
}
