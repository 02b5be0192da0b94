package io.resh.cli.bench;

import java.util.List;
import java.util.Map;

/**
 * One comparison inside a scenario: the same load against several targets, measured alternately.
 *
 * @param title what is compared
 * @param method the load: driver, window or rate, rounds and time per round
 * @param rows one measurement per target, baseline first
 * @param ratios named ratios between the rows (candidate / baseline)
 */
public record Section(String title, String method, List<Measurement> rows, Map<String, Double> ratios) {

    static Section of(String title, String method, List<Tally> tallies, Ratios ratios) {
        return new Section(title, method, tallies.stream().map(Tally::summary).toList(), ratios.toMap());
    }
}
