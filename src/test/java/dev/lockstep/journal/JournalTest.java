package dev.lockstep.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path tmp;

    @Test
    void recordsRoundTripAndOnlyTheOwnerCanReadThem() throws Exception {
        Path file = tmp.resolve("runs/r1/journal.jsonl");
        try (Journal j = Journal.create(file, file.resolveSibling("driver"), "test")) {
            j.redactWith(Redactor.of(List.of("hunter22")));
            j.append(EventType.RUN_STARTED, null, started());
            j.append(EventType.STEP_FAILED, "a", new EventData.Reason("password hunter22\nnext \"line\""));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        Journal read = Journal.read(file);
        assertEquals(2, read.events().size());
        assertEquals("password ******\nnext \"line\"", read.events().get(1).data(EventData.Reason.class).reason());
        assertEquals(2L, read.events().get(1).seq());
        assertEquals(Journal.FORMAT, read.events().get(0).data(EventData.RunStarted.class).formatVersion());
        assertTrue(read.warnings().isEmpty());
    }

    /** A step's worker is interrupted by a halt, a timeout or Ctrl-C, and still journals (a task it stopped). */
    @Test
    void anInterruptedThreadStillAppendsAndTheJournalStaysHeld() throws Exception {
        Path file = tmp.resolve("journal.jsonl");
        try (Journal j = Journal.create(file, file.resolveSibling("driver"), "test")) {
            j.append(EventType.RUN_STARTED, null, started());
            Thread.currentThread().interrupt();
            try {
                j.append(EventType.STEP_EXTERNAL_ID, "migrate", new EventData.ExternalId("taskEnded", "arn:task/1"));
                assertTrue(Thread.currentThread().isInterrupted(), "the caller keeps its interrupt");
            } finally {
                Thread.interrupted();
            }
            j.append(EventType.STEP_FAILED, "migrate", new EventData.Reason("halted"));
        }
        assertEquals(3, Journal.read(file).events().size());
    }

    @Test
    void aJournalIsNeverCreatedTwice() {
        Path file = tmp.resolve("journal.jsonl");
        Journal.create(file, tmp.resolve("driver"), "test").close();
        LockstepException e = assertThrows(LockstepException.class, () -> Journal.create(file, tmp.resolve("driver"), "test"));
        assertEquals(ErrorCode.IO, e.code());
    }

    static EventData.RunStarted started() {
        return new EventData.RunStarted(Journal.FORMAT, "/x.yaml", "x", "X", "00", List.of("a"), Map.of("a", Map.of()),
                Map.of(), List.of(), List.of(), "me@host", "host", 1, "test", "test", null, null);
    }

    @Test
    void aLockLeftByADeadProcessIsTakenOverAndSaidSo() throws Exception {
        Path lock = tmp.resolve("locks/x.lock");
        Files.createDirectories(lock.getParent());
        Files.writeString(lock, "{\"pid\":2147483646,\"host\":\"" + Identity.host() + "\",\"since\":\"then\",\"command\":\"lockstep run\"}");
        try (RunLock l = RunLock.acquire(lock, "test")) {
            assertTrue(l.staleNote().orElseThrow().contains("pid 2147483646"), l.staleNote().toString());
        }
    }
}
