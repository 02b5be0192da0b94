package io.resh.gateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints the replica logs and events of the registered fixtures when a test fails. It runs right
 * after the test method, before @AfterEach closes the fixture and before temporary directories
 * (where the logs live) are deleted.
 */
public final class LogsOnFailure implements AfterTestExecutionCallback, AfterAllCallback {
    private final List<Supplier<String>> sources = new ArrayList<>();

    public <T extends GatewayFixture> T watch(T fixture) {
        sources.add(fixture::logs);
        return fixture;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            for (Supplier<String> s : sources) {
                System.out.println("===== logs of failed test " + context.getDisplayName() + "\n" + s.get());
            }
        }
        if (context.getTestInstanceLifecycle().orElse(null) != org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS) {
            sources.clear();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        sources.clear();
    }
}
