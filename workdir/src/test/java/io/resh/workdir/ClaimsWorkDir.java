package io.resh.workdir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process that claims the work directory its argument names, as a group's does, writes a replica log there and
 * runs until it is killed: what a {@code resh serve} killed with SIGKILL leaves behind, for {@link WorkDirOwnerTest}.
 */
public final class ClaimsWorkDir {
    private ClaimsWorkDir() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        WorkDirOwner.claim(dir);
        Files.writeString(dir.resolve("replica-0.log"), "x".repeat(2048));
        System.out.println("claimed");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
