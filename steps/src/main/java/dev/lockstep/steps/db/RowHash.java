package dev.lockstep.steps.db;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * An order-independent fingerprint of rows: each row's canonical text is hashed to
 * 64 bits and the hashes are added. Values are made canonical so that the same data
 * compares equal on SQLite and PostgreSQL: numbers as plain decimals (1.50 = 1.5),
 * booleans as 1/0, blobs as hex, NULL as its own marker.
 */
final class RowHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private RowHash() {}

    static String canonical(Object v) {
        if (v == null) return "\u0000N";
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

    /** FNV-1a over the canonical values, finished with a splitmix64 mix so that sums spread well. */
    static long of(Object[] values) {
        long h = FNV_OFFSET;
        for (Object v : values) {
            for (byte b : canonical(v).getBytes(StandardCharsets.UTF_8)) {
                h ^= b & 0xff;
                h *= FNV_PRIME;
            }
            h ^= 0x1f;
            h *= FNV_PRIME;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
