package io.resh.cli.bench;

import java.util.List;

/**
 * Everything one {@code resh bench SCENARIO} run measured, as printed and as written with {@code --json}.
 *
 * @param scenario scenario name
 * @param workload what the requests are
 * @param machine where it ran
 * @param started ISO-8601 local date and time the run started
 * @param command the command line that reproduces it
 * @param wallSeconds how long the whole run took, start-up included
 * @param stolenCpuPercent the share of the machine's CPU time a hypervisor gave to others during the run, in
 *     percent (-1 where the OS does not say); figures of a run with 5 % or more are not comparable to a quiet one's
 * @param sections the comparisons
 * @param checks the performance targets and whether they were met
 * @param notes anything a reader needs to interpret the numbers (skipped parts, caveats)
 */
public record ScenarioReport(String scenario, String workload, Machine machine, String started, String command,
                             double wallSeconds, double stolenCpuPercent, List<Section> sections, List<Check> checks,
                             List<String> notes) {
}
