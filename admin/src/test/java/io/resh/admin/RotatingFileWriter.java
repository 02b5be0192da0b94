package io.resh.admin;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second process appending to a {@link RotatingFile}, as another {@code resh serve} from the same home does.
 * Arguments: the file, its size bound, the files kept, a tag for its lines, how many lines, and a file whose
 * appearance starts the writing (so that the writers of a test overlap).
 */
final class RotatingFileWriter {
    private RotatingFileWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Path go = Path.of(args[5]);
        int lines = Integer.parseInt(args[4]);
        try (RotatingFile f = new RotatingFile(file, Long.parseLong(args[1]), Integer.parseInt(args[2]))) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(go)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no " + go + " within 60 s");
                }
                Thread.onSpinWait();
            }
            for (int i = 0; i < lines; i++) {
                f.appendLine(RotatingFileTest.line(args[3], i));
            }
        }
    }
}
