package io.resh.host.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link CounterService} that starts at once the first time in its replica's directory and takes a minute
 * every later time: a replacement says hello only then, so a test can act while one is being started.
 */
public final class SlowRestartService extends ForwardingService {
    public SlowRestartService() throws IOException, InterruptedException {
        super(new CounterService());
        Path marker = Path.of("started-before"); // the replica's working directory, the same for every incarnation
        if (Files.exists(marker)) {
            Thread.sleep(60_000);
        } else {
            Files.createFile(marker);
        }
    }
}
