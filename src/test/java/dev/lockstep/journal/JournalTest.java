package dev.lockstep.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.secret.Redactor;
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
        try (Journal j = Journal.create(file)) {
            j.redactWith(Redactor.of(List.of("hunter22")));
            j.append(EventType.RUN_STARTED, null, Map.of("steps", List.of("a"), "note", "password hunter22\nnext \"line\""));
            j.append(EventType.STEP_STARTED, "a", Map.of("attempt", 1));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        Journal read = Journal.read(file);
        assertEquals(2, read.events().size());
        assertEquals("password ******\nnext \"line\"", read.events().get(0).text("note"));
        assertEquals(2L, read.events().get(1).seq());
        assertEquals(1L, ((Number) read.events().get(1).data().get("attempt")).longValue());
        assertTrue(read.warnings().isEmpty());
    }

    @Test
    void aJournalIsNeverCreatedTwice() {
        Path file = tmp.resolve("journal.jsonl");
        Journal.create(file).close();
        LockstepException e = assertThrows(LockstepException.class, () -> Journal.create(file));
        assertEquals(ErrorCode.IO, e.code());
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
