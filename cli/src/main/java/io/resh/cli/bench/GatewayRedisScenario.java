package io.resh.cli.bench;

/** redis-benchmark through the TMR gateway, directly, and through HAProxy. */
final class GatewayRedisScenario implements Scenario {
    @Override
    public String name() {
        return "gateway-redis";
    }

    @Override
    public String summary() {
        return "redis-benchmark: direct vs HAProxy vs the TMR gateway over three redis-servers";
    }

    @Override
    public ScenarioReport run(BenchOptions options) {
        throw new ScenarioUnavailableException("scenario 'gateway-redis' is not available yet: this build has no gateway");
    }
}
