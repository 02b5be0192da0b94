package io.resh.gateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the replica logs and events of the registered fixtures when a test fails. */
public final class LogsOnFailure implements TestWatcher {
    private final List<Supplier<String>> sources = new ArrayList<>();

    public <T extends GatewayFixture> T watch(T fixture) {
        sources.add(fixture::logs);
        return fixture;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        for (Supplier<String> s : sources) {
            System.out.println("===== logs of failed test " + context.getDisplayName() + "\n" + s.get());
        }
        sources.clear();
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        sources.clear();
    }
}
