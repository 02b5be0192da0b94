package io.resh.host.testing;

/** A service that takes its settings in its constructor, as a newcomer writes one: no replica can create it. */
public final class ConfiguredCounterService extends ForwardingService {
    public ConfiguredCounterService(long start) {
        super(new CounterService());
    }
}
