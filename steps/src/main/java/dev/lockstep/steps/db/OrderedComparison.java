package dev.lockstep.steps.db;

import dev.lockstep.spi.MachineText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the keys of a table whose rows differ, where the key is not one integer (text, or several columns): both
 * sides are read in key order at once and merged, one row from each at a time, so memory stays the same whatever
 * the table's size. Text keys are ordered by their bytes on both sides (SQLite's BINARY, PostgreSQL's "C"), which
 * is the order of their code points; the merge compares them the same way.
 */
final class OrderedComparison {
    private OrderedComparison() {}

    /**
     * What differs: how many keys changed or are on one side only, the first few of them, and the first few ranges of
     * differing keys (runs with no matching key between them) out of {@code rangeCount}.
     */
    record Differences(long changed, long onlySource, long onlyTarget, List<String> examples, long rangeCount, List<String> ranges) {
        long total() {
            return changed + onlySource + onlyTarget;
        }
    }

    /** Whether keys of this declared type sort the same on SQLite and PostgreSQL (integers and text do). */
    static boolean sortsTheSame(Sql.Column c) {
        String t = c.type() == null ? "" : c.type().toUpperCase(Locale.ROOT);
        return t.contains("INT") || t.contains("CHAR") || t.contains("TEXT") || t.contains("CLOB");
    }

    /** Both sides' rows in the order of their {@code keys}, with every column in {@code sColumns}/{@code tColumns}. */
    static Differences compare(DbEndpoint source, String sTable, List<Sql.Column> sKeys, List<String> sColumns,
                               DbEndpoint target, String tTable, List<Sql.Column> tKeys, List<String> tColumns,
                               RowHash.Read[][] reads, int examples) throws Exception {
        try (Connection a = source.openToHash(); Connection b = target.openToHash()) {
            if (source.isPostgres()) a.setAutoCommit(false);
            if (target.isPostgres()) b.setAutoCommit(false);
            try (PreparedStatement pa = a.prepareStatement(select(source, sTable, sKeys, sColumns));
                 PreparedStatement pb = b.prepareStatement(select(target, tTable, tKeys, tColumns))) {
                Sql.hashedRows(pa);
                Sql.hashedRows(pb);
                pa.setFetchSize(10_000);
                pb.setFetchSize(10_000);
                try (ResultSet ra = pa.executeQuery(); ResultSet rb = pb.executeQuery()) {
                    return merge(ra, rb, sKeys.stream().map(Sql.Column::name).toList(), reads, examples);
                }
            }
        }
    }

    private static String select(DbEndpoint db, String table, List<Sql.Column> keys, List<String> columns) {
        List<String> order = new ArrayList<>();
        for (Sql.Column k : keys) {
            boolean text = !k.type().toUpperCase(Locale.ROOT).contains("INT");
            order.add(Sql.quote(k.name()) + (db.isPostgres() ? (text ? " COLLATE \"C\"" : "") + " NULLS FIRST" : " COLLATE BINARY"));
        }
        List<String> selected = new ArrayList<>();
        for (Sql.Column k : keys) selected.add(Sql.quote(k.name()));
        for (String c : columns) selected.add(Sql.quote(c));
        return "SELECT " + String.join(", ", selected) + " FROM " + Sql.quote(table) + " ORDER BY " + String.join(", ", order);
    }

    private static Differences merge(ResultSet a, ResultSet b, List<String> keyNames, RowHash.Read[][] reads, int examples)
            throws Exception {
        int keys = keyNames.size();
        long changed = 0;
        long onlySource = 0;
        long onlyTarget = 0;
        List<String> shown = new ArrayList<>();
        Ranges ranges = new Ranges(keyNames, examples);
        Row x = Row.next(a, keys, reads[0]);
        Row y = Row.next(b, keys, reads[1]);
        long n = 0;
        while (x != null || y != null) {
            if ((++n & 0xffff) == 0 && Thread.currentThread().isInterrupted()) throw new InterruptedException();
            int order = x == null ? 1 : y == null ? -1 : compareKeys(x.key, y.key);
            if (order == 0) {
                if (x.hash != y.hash) {
                    changed++;
                    if (shown.size() < examples) shown.add(describe(keyNames, x.key) + " (changed)");
                    ranges.differs(x.key);
                } else {
                    ranges.matches();
                }
                x = Row.next(a, keys, reads[0]);
                y = Row.next(b, keys, reads[1]);
            } else if (order < 0) {
                onlySource++;
                if (shown.size() < examples) shown.add(describe(keyNames, x.key) + " (only in source)");
                ranges.differs(x.key);
                x = Row.next(a, keys, reads[0]);
            } else {
                onlyTarget++;
                if (shown.size() < examples) shown.add(describe(keyNames, y.key) + " (only in target)");
                ranges.differs(y.key);
                y = Row.next(b, keys, reads[1]);
            }
        }
        ranges.matches();
        return new Differences(changed, onlySource, onlyTarget, shown, ranges.count, ranges.shown);
    }

    /** Runs of differing keys in key order, each from its first key to its last, the first few described. */
    private static final class Ranges {
        private final List<String> names;
        private final int limit;
        private final List<String> shown = new ArrayList<>();
        private long count;
        private Object[] first;
        private Object[] last;

        Ranges(List<String> names, int limit) {
            this.names = names;
            this.limit = limit;
        }

        void differs(Object[] key) {
            if (first == null) first = key;
            last = key;
        }

        /** A matching key, or the end: the run so far is a range. */
        void matches() {
            if (first == null) return;
            count++;
            if (shown.size() < limit) {
                shown.add(compareKeys(first, last) == 0 ? describe(names, first) : describe(names, first) + ".." + values(last));
            }
            first = null;
            last = null;
        }
    }

    /** A row: its key's values and the hash of every column, as the checksum hashes it. */
    private record Row(Object[] key, long hash) {
        static Row next(ResultSet rs, int keys, RowHash.Read[] reads) throws SQLException {
            if (!rs.next()) return null;
            Object[] key = new Object[keys];
            for (int i = 0; i < keys; i++) key[i] = rs.getObject(i + 1);
            return new Row(key, RowHash.row(rs, keys + 1, reads));
        }
    }

    /** Nulls first, then numbers by value, then text by code points: the order both SELECTs give. */
    static int compareKeys(Object[] x, Object[] y) {
        for (int i = 0; i < x.length; i++) {
            int c = compareValue(x[i], y[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private static int compareValue(Object x, Object y) {
        if (x == null || y == null) return x == null ? (y == null ? 0 : -1) : 1;
        if (x instanceof Number p && y instanceof Number q) return new BigDecimal(p.toString()).compareTo(new BigDecimal(q.toString()));
        if (x instanceof Number) return -1;
        if (y instanceof Number) return 1;
        return compareCodePoints(x.toString(), y.toString());
    }

    private static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) return Integer.compare(a, b);
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    /** {@code key = 'a'} or {@code (a, b) = (1, 'x')}: values one line each, bounded, text quoted. */
    private static String describe(List<String> names, Object[] key) {
        return (names.size() == 1 ? names.get(0) : "(" + String.join(", ", names) + ")") + " = " + values(key);
    }

    /** {@code 'a'} or {@code (1, 'x')}. */
    private static String values(Object[] key) {
        List<String> values = new ArrayList<>();
        for (Object v : key) {
            values.add(v == null ? "NULL" : v instanceof Number ? v.toString() : "'" + MachineText.bounded(MachineText.oneLine(v.toString()), 80)
                    .replace("'", "''") + "'");
        }
        return values.size() == 1 ? values.get(0) : "(" + String.join(", ", values) + ")";
    }
}
