package dev.lockstep.steps.db;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An order-independent fingerprint of rows: each row's columns are hashed to 64 bits, eight bytes at a time, and the
 * row hashes are added. Both sides must hash the same bytes for the same value. Columns whose text is the same on
 * SQLite and PostgreSQL (integers, text, blobs and bytea, booleans as 1/0) are hashed as the bytes the driver holds,
 * never decoded into Java values (that decoding was most of a verification's time); the others (floating point,
 * numeric, dates) as the canonical text of their Java values: numbers as plain decimals (1.50 = 1.5), blobs as hex.
 */
final class RowHash {
    /** How one side reads a column for hashing. */
    enum Read {
        /** The driver's bytes: text's UTF-8, an integer's decimal digits, a blob's or bytea's bytes. */
        BYTES,
        /** PostgreSQL's boolean text, t or f, hashed as SQLite stores booleans: 1 or 0. */
        BOOLEAN,
        /** The Java value's canonical text. */
        VALUE
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SEED = 0x2545f4914f6cdd1dL;
    private static final long NULL_LENGTH = -1;
    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};
    /** PostgreSQL types whose text output is what SQLite gives for the same value (and what the copy sent). */
    private static final Set<String> POSTGRES_AS_BYTES = Set.of("smallint", "integer", "bigint", "text", "character varying",
            "character", "bytea", "boolean");

    private RowHash() {}

    /** How each side reads each column; {@code sColumns} and {@code tColumns} are paired by position. */
    static Read[][] reads(DbEndpoint source, List<Sql.Column> sColumns, DbEndpoint target, List<Sql.Column> tColumns) {
        Read[] s = new Read[sColumns.size()];
        Read[] t = new Read[tColumns.size()];
        for (int i = 0; i < s.length; i++) {
            boolean asBytes = asBytes(source, sColumns.get(i)) && asBytes(target, tColumns.get(i));
            s[i] = read(asBytes, source, sColumns.get(i));
            t[i] = read(asBytes, target, tColumns.get(i));
        }
        return new Read[][] {s, t};
    }

    private static Read read(boolean asBytes, DbEndpoint db, Sql.Column c) {
        if (!asBytes) return Read.VALUE;
        return db.isPostgres() && c.type().equals("boolean") ? Read.BOOLEAN : Read.BYTES;
    }

    /**
     * Whether a column's values can be hashed as the driver's bytes: on PostgreSQL by its type, on SQLite by its
     * declared type's affinity (integer, text, blob, or a boolean), where real and numeric values are text SQLite
     * shortens to 15 digits.
     */
    private static boolean asBytes(DbEndpoint db, Sql.Column c) {
        String type = c.type() == null ? "" : c.type().toUpperCase(Locale.ROOT);
        if (db.isPostgres()) return POSTGRES_AS_BYTES.contains(c.type());
        return type.contains("INT") || type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT")
                || type.contains("BLOB") || type.isEmpty() || type.contains("BOOL");
    }

    /**
     * The hash of the row under the cursor, its columns from {@code first} (1-based) on. On PostgreSQL the connection
     * must send integers and booleans as text ({@link DbEndpoint#openToHash}), so that their bytes are their digits.
     */
    static long row(ResultSet rs, int first, Read[] reads) throws SQLException {
        long h = SEED;
        for (int i = 0; i < reads.length; i++) {
            byte[] bytes = switch (reads[i]) {
                case BYTES -> rs.getBytes(first + i);
                case BOOLEAN -> {
                    byte[] b = rs.getBytes(first + i);
                    yield b == null ? null : b[0] == 't' ? ONE : ZERO;
                }
                case VALUE -> {
                    Object v = rs.getObject(first + i);
                    yield v == null ? null : canonical(v).getBytes(StandardCharsets.UTF_8);
                }
            };
            h = column(h, bytes);
        }
        return finish(h);
    }

    static String canonical(Object v) {
        if (v instanceof Boolean b) return b ? "1" : "0";
        if (v instanceof byte[] bytes) return "x" + HexFormat.of().formatHex(bytes);
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) return Double.toString(d);
            return plain(BigDecimal.valueOf(d));
        }
        if (v instanceof BigDecimal d) return plain(d);
        return v.toString();
    }

    private static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    /**
     * One column: its whole eight-byte words, the rest as one word, then its length (-1 for NULL). Read from the
     * end, the length tells how many words came before, so no two rows give the same sequence.
     */
    static long column(long h, byte[] b) {
        if (b == null) return mix(h, NULL_LENGTH);
        int n = b.length;
        int i = 0;
        for (; i + 8 <= n; i += 8) h = mix(h, (long) LONGS.get(b, i));
        long rest = 0;
        for (int j = n - 1; j >= i; j--) rest = (rest << 8) | (b[j] & 0xff);
        return mix(mix(h, rest), n);
    }

    /** MurmurHash3's 64-bit block step. */
    private static long mix(long h, long word) {
        long k = word * 0x87c37b91114253d5L;
        k = Long.rotateLeft(k, 31) * 0x4cf5ad432745937fL;
        h ^= k;
        return Long.rotateLeft(h, 27) * 5 + 0x52dce729;
    }

    /** splitmix64's finish, so that the sums of row hashes spread well. */
    private static long finish(long h) {
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
