package dev.lockstep.steps.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyIn;

/** COPY text fields as PostgreSQL reads them: the four escaped characters wherever they stand, UTF-8 untouched, NUL refused. */
class CopyEncoderTest {
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    /** Keeps what the encoder sends; the encoder only ever writes to a COPY. */
    private final CopyIn copy = (CopyIn) Proxy.newProxyInstance(CopyIn.class.getClassLoader(), new Class<?>[] {CopyIn.class},
            (proxy, method, args) -> {
                if (!method.getName().equals("writeToCopy") || args.length != 3) throw new UnsupportedOperationException(method.getName());
                sent.write((byte[]) args[0], (int) args[1], (int) args[2]);
                return null;
            });

    private String encoded(String... fields) throws Exception {
        sent.reset();
        CopyEncoder e = new CopyEncoder(copy, 1 << 16);
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) e.separator();
            e.bytes(fields[i] == null ? null : fields[i].getBytes(StandardCharsets.UTF_8), "text");
        }
        e.endRow();
        e.flush();
        return sent.toString(StandardCharsets.UTF_8);
    }

    @Test
    void escapesAtTheEdgesInTheMiddleAndInARow() throws Exception {
        assertEquals("\\\\a\\tb\\n\\r\\\\\\\\\t\\N\tplain\tünï\\tcödé\\n\n",
                encoded("\\a\tb\n\r\\\\", null, "plain", "ünï\tcödé\n"));
        assertEquals("\n", encoded(""));
    }

    @Test
    void aNulIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> encoded("a\0b"));
    }
}
