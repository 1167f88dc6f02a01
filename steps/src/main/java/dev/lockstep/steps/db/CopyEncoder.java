package dev.lockstep.steps.db;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Writes SQLite values as PostgreSQL COPY text-format fields, by the target column's
 * type. The mapping (also in the README):
 * <ul>
 * <li>integer keys and integers → bigint/integer, as decimal text;</li>
 * <li>text → text; real → double precision; numeric values → numeric, as plain decimals;</li>
 * <li>blob → bytea (hex);</li>
 * <li>booleans stored as 0/1 → boolean;</li>
 * <li>timestamps stored as text or as numbers keep that form (text, or bigint / double precision).</li>
 * </ul>
 */
final class CopyEncoder {
    private CopyEncoder() {}

    /** Appends one field (no separator). {@code targetType} is PostgreSQL's data_type of the column. */
    static void field(StringBuilder out, Object v, String targetType) {
        if (v == null) {
            out.append("\\N");
            return;
        }
        switch (targetType) {
            case "boolean" -> out.append(bool(v));
            case "bytea" -> out.append("\\\\x").append(HexFormat.of().formatHex(
                    v instanceof byte[] b ? b : v.toString().getBytes(StandardCharsets.UTF_8)));
            case "bigint", "integer", "smallint" -> out.append(integer(v));
            default -> text(out, v);
        }
    }

    private static String bool(Object v) {
        if (v instanceof Number n) return n.longValue() != 0 ? "t" : "f";
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "1", "t", "true", "y", "yes", "on" -> "t";
            case "0", "f", "false", "n", "no", "off" -> "f";
            default -> throw new IllegalArgumentException("not a boolean: '" + v + "'");
        };
    }

    private static String integer(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short) return v.toString();
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return Long.toString(d.longValue());
        if (v instanceof BigDecimal d) return d.toBigIntegerExact().toString();
        return v.toString().trim();
    }

    private static void text(StringBuilder out, Object v) {
        String s = v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                : v instanceof BigDecimal d ? d.toPlainString()
                : v.toString();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\0' -> throw new IllegalArgumentException("PostgreSQL text cannot hold a NUL character");
                default -> out.append(c);
            }
        }
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
