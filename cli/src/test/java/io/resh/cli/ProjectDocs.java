package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Markdown a user reads (README.md, docs/*.md, examples/README.md) and the examples they run, found
 * from the cli module's directory, where Maven runs its tests, as the other modules' tests find examples/.
 */
final class ProjectDocs {
    static final Path ROOT = Path.of("..");

    private ProjectDocs() {
    }

    /** Every Markdown file a user is pointed to, in a fixed order. */
    static List<Path> markdown() {
        assertThat(ROOT.resolve("docs")).as("the docs, from the cli module's directory").isDirectory();
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("examples/README.md")));
        files.addAll(list(ROOT.resolve("docs"), ".md"));
        return files;
    }

    /** examples/*.yaml */
    static List<Path> exampleConfigs() {
        return list(ROOT.resolve("examples"), ".yaml");
    }

    /** {@code docs/CLUSTER.md} rather than {@code ../docs/CLUSTER.md}. */
    static String name(Path file) {
        return ROOT.relativize(file).toString();
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fenced code block.
     *
     * @param info the word after the opening fence ({@code yaml}, {@code sh}; empty for none)
     * @param line the file's line number of the block's first line of content, from 1
     * @param lines the block's content
     */
    record Block(Path file, String info, int line, List<String> lines) {
        String where() {
            return name(file) + ":" + line;
        }

        String text() {
            return String.join("\n", lines) + "\n";
        }
    }

    /** The fenced blocks of a Markdown file (``` or ~~~, indented or not). */
    static List<Block> blocks(Path file) {
        List<String> all = lines(file);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String open = all.get(i).strip();
            if (!open.startsWith("```") && !open.startsWith("~~~")) {
                continue;
            }
            String fence = open.substring(0, 3);
            String info = open.substring(3).strip();
            int start = i + 1;
            int end = start;
            while (end < all.size() && !all.get(end).strip().startsWith(fence)) {
                end++;
            }
            blocks.add(new Block(file, info, start + 1, all.subList(start, end)));
            i = end;
        }
        return blocks;
    }

    /** The file's lines outside fenced blocks, the others blanked so that line numbers stay true. */
    static List<String> prose(Path file) {
        List<String> out = new ArrayList<>(lines(file));
        for (Block b : blocks(file)) {
            for (int i = b.line() - 2; i < Math.min(out.size(), b.line() + b.lines().size()); i++) {
                out.set(i, "");
            }
        }
        return out;
    }
}
