package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.secret.Redactor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bug in lockstep: a line that says so on the screen, its stack trace in a private report. */
class ErrorHandlerTest {
    @TempDir
    Path tmp;

    @Test
    void aBugPrintsNoStackTraceAndItsTraceGoesToAPrivateRedactedReport() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(Map.of("XDG_CACHE_HOME", tmp.toString()), new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit = ErrorHandler.handle(new IllegalStateException("a bug"), cli.err, cli);
        String shown = err.toString(StandardCharsets.UTF_8);
        assertEquals(70, exit);
        assertTrue(shown.startsWith("lockstep: internal error: java.lang.IllegalStateException: a bug"), shown);
        for (String trace : List.of("\tat ", "at dev.lockstep", "Exception in")) assertFalse(shown.contains(trace), shown);

        List<Path> reports;
        try (Stream<Path> s = Files.list(tmp.resolve("lockstep/crashes"))) {
            reports = s.toList();
        }
        assertEquals(1, reports.size());
        assertTrue(shown.contains(reports.get(0).toString()), "the screen names the report: " + shown);
        assertTrue(Files.readString(reports.get(0)).contains("at dev.lockstep.cli.ErrorHandlerTest"), "the report holds the trace");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(reports.get(0))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(reports.get(0).getParent())));
    }

    @Test
    void aSecretInTheTraceIsMaskedInTheReport() throws Exception {
        Path report = ErrorHandler.crashReport(new IllegalStateException("failed with s3cret-value-42 in hand"),
                Redactor.of(List.of("s3cret-value-42")), Map.of("XDG_CACHE_HOME", tmp.toString()));
        String text = Files.readString(report);
        assertTrue(text.contains("failed with") && text.contains("at dev.lockstep.cli.ErrorHandlerTest"), text);
        assertFalse(text.contains("s3cret-value-42"), text);
    }
}
