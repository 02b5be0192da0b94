package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link CounterService} plus file writes, to test the sandbox: {@code write:PATH} writes a small file at
 * PATH (relative paths land in the replica's own work directory) and answers {@code wrote PATH}; a
 * refused write throws, as real code would.
 */
public final class TrespassingService extends ForwardingService {
    public TrespassingService() {
        super(new CounterService());
    }

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) throws Exception {
        String r = new String(request, StandardCharsets.UTF_8);
        if (r.startsWith("write:")) {
            Path p = Path.of(r.substring(6));
            Files.writeString(p, "written by request #" + ctx.sequence());
            return ("wrote " + p).getBytes(StandardCharsets.UTF_8);
        }
        return super.execute(request, ctx);
    }
}
