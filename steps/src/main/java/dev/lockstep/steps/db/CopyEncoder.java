package dev.lockstep.steps.db;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import org.postgresql.copy.CopyIn;

/**
 * Writes SQLite values as PostgreSQL COPY text-format rows, straight into a byte
 * buffer that is sent whenever it fills (memory stays flat whatever the table size).
 * Most columns travel as SQLite's own bytes (no Java strings on the way); PostgreSQL
 * parses them and rejects what does not fit. The mapping, by the target column's type
 * (also in docs/runbook-reference.md, Databases):
 * <ul>
 * <li>integer keys and integers → bigint/integer, as decimal text;</li>
 * <li>text → text; real → double precision; numeric values → numeric, as plain decimals;</li>
 * <li>blob → bytea (hex);</li>
 * <li>booleans stored as 0/1 → boolean;</li>
 * <li>timestamps stored as text or as numbers keep that form (text, or bigint / double precision).</li>
 * </ul>
 */
final class CopyEncoder {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'\\', 'N'};

    private final CopyIn copy;
    private final int flushAt;
    private byte[] buf;
    private int len;
    private long sent;

    CopyEncoder(CopyIn copy, int flushAt) {
        this.copy = copy;
        this.flushAt = flushAt;
        this.buf = new byte[flushAt + (flushAt >> 2)];
    }

    /** Appends a floating-point or numeric field, read as a Java value (see {@link #readsBytes}). */
    void value(Object v) {
        if (v == null) {
            put(NULL, 0, 2);
        } else {
            text(v);
        }
    }

    /**
     * Whether a column of this PostgreSQL type is read as SQLite's bytes (its text form of
     * integers, the text's UTF-8, the blob) rather than as a Java value. Floating point
     * and numeric are read as values: SQLite's text form of a real keeps only 15 digits.
     */
    static boolean readsBytes(String targetType) {
        return !(targetType.equals("double precision") || targetType.equals("real") || targetType.equals("numeric"));
    }

    /** Appends one field from SQLite's bytes (see {@link #readsBytes}); PostgreSQL rejects what does not fit the type. */
    void bytes(byte[] raw, String targetType) {
        if (raw == null) {
            put(NULL, 0, 2);
        } else if (targetType.equals("bytea")) {
            hex(raw);
        } else {
            escaped(raw);
        }
    }

    void separator() {
        put((byte) '\t');
    }

    /** Ends a row; sends the buffer once it is full enough. Returns true when it sent. */
    boolean endRow() throws SQLException {
        put((byte) '\n');
        if (len < flushAt) return false;
        flush();
        return true;
    }

    void flush() throws SQLException {
        if (len == 0) return;
        copy.writeToCopy(buf, 0, len);
        sent += len;
        len = 0;
    }

    long sent() {
        return sent;
    }

    private void hex(byte[] bytes) {
        ensure(3 + bytes.length * 2);
        buf[len++] = '\\';
        buf[len++] = '\\';
        buf[len++] = 'x';
        for (byte b : bytes) {
            buf[len++] = HEX[(b >> 4) & 0xf];
            buf[len++] = HEX[b & 0xf];
        }
    }

    private void text(Object v) {
        String s = v instanceof BigDecimal d ? d.toPlainString() : v.toString();
        ensure(s.length() * 2);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                escaped(rest);
                return;
            }
            switch (c) {
                case '\\' -> put2('\\', '\\');
                case '\n' -> put2('\\', 'n');
                case '\r' -> put2('\\', 'r');
                case '\t' -> put2('\\', 't');
                case '\0' -> throw new IllegalArgumentException("PostgreSQL text cannot hold a NUL character");
                default -> buf[len++] = (byte) c;
            }
        }
    }

    /**
     * UTF-8 bytes, escaped; the escaped characters are all ASCII, so multi-byte sequences pass untouched. Runs between
     * them are copied whole: most values have none, and this is the copy's hottest loop.
     */
    private void escaped(byte[] utf8) {
        ensure(utf8.length * 2);
        int run = 0;
        for (int i = 0; i < utf8.length; i++) {
            int u = utf8[i] & 0xff;
            if (u > '\r' && u != '\\') continue;
            if (u != '\\' && u != '\n' && u != '\r' && u != '\t' && u != 0) continue;
            System.arraycopy(utf8, run, buf, len, i - run);
            len += i - run;
            run = i + 1;
            switch (u) {
                case '\\' -> put2('\\', '\\');
                case '\n' -> put2('\\', 'n');
                case '\r' -> put2('\\', 'r');
                case '\t' -> put2('\\', 't');
                default -> throw new IllegalArgumentException("PostgreSQL text cannot hold a NUL character");
            }
        }
        System.arraycopy(utf8, run, buf, len, utf8.length - run);
        len += utf8.length - run;
    }

    private void put2(char a, char b) {
        buf[len++] = (byte) a;
        buf[len++] = (byte) b;
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int more) {
        if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }

    /** The PostgreSQL type a SQLite column becomes when lockstep creates the table; {@code storedAs} is SQLite's typeof() of its values. */
    static String columnType(String declared, String storedAs) {
        String t = declared == null ? "" : declared.toUpperCase(Locale.ROOT);
        if (t.contains("BOOL")) return "boolean";
        if (t.contains("DATE") || t.contains("TIME")) {
            return switch (storedAs == null ? "text" : storedAs) {
                case "integer" -> "bigint";
                case "real" -> "double precision";
                default -> "text";
            };
        }
        if (t.contains("INT")) return "bigint";
        if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") || t.isEmpty()) return "text";
        if (t.contains("BLOB")) return "bytea";
        if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) return "double precision";
        return "numeric";
    }
}
