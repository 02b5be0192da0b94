/**
 * Fault-injection campaigns: inject many real faults into a running replica group, one at a time,
 * classify what the client saw against a fault-free (golden) run, and report the coverage.
 *
 * <p>{@link io.resh.campaign.InjectionPlan} draws the faults from a seed, {@link io.resh.campaign.Campaign}
 * runs them against a live {@link io.resh.host.ReplicaGroup}, {@link io.resh.campaign.OutcomeClassifier}
 * decides each injection's {@link io.resh.campaign.Outcome} from what was observed, and
 * {@link io.resh.campaign.CampaignReport} writes the JSON, the self-contained HTML page and the
 * terminal table. The planning, the classification and the statistics are pure and unit-tested; only
 * {@code Campaign} touches processes.
 */
package io.resh.campaign;
