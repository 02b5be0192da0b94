package io.resh.gateway.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway knows about Redis commands: which ones cannot be replicated through one shared,
 * ordered backend connection (and why), which ones only read, and which replies are sets whose
 * element order differs between otherwise equal servers.
 */
final class RespCommands {
    static final int UNORDERED = 1;
    static final int UNORDERED_PAIRS = 2;
    static final int TOLERANT = 4;

    private static final String BLOCKING = "it blocks its connection, and every client shares one backend connection per replica";
    private static final String SUBSCRIBING = "subscriptions belong to one connection, and every client shares one backend connection per replica";
    private static final String TRANSACTION = "transactions belong to one connection, and every client shares one backend connection per replica";
    private static final String CONNECTION_STATE = "it changes the state of the backend connection every client shares";
    private static final String NONDETERMINISTIC = "each replica answers it differently (random or time-based), so it cannot be voted";
    private static final String ADMIN = "it would stop, reconfigure or crash every replica at once, or bypass the vote";

    private static final Map<String, String> REJECTED = new HashMap<>();
    private static final Set<String> READ_ONLY = Set.of(
            "GET", "MGET", "STRLEN", "GETRANGE", "SUBSTR", "EXISTS", "TYPE", "TTL", "PTTL", "EXPIRETIME",
            "PEXPIRETIME", "KEYS", "DBSIZE", "LLEN", "LRANGE", "LINDEX", "LPOS", "SCARD", "SISMEMBER",
            "SMISMEMBER", "SMEMBERS", "SINTER", "SUNION", "SDIFF", "SINTERCARD", "HGET", "HMGET", "HLEN",
            "HKEYS", "HVALS", "HGETALL", "HEXISTS", "HSTRLEN", "ZCARD", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK",
            "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX",
            "ZCOUNT", "ZLEXCOUNT", "ZINTER", "ZUNION", "ZDIFF", "ZINTERCARD", "XRANGE", "XREVRANGE", "XLEN",
            "XREAD", "GETBIT", "BITCOUNT", "BITPOS", "BITFIELD_RO", "GEOPOS", "GEODIST", "GEOHASH",
            "GEORADIUS_RO", "GEORADIUSBYMEMBER_RO", "GEOSEARCH", "PING", "ECHO", "DUMP", "LCS", "SORT_RO",
            "EVAL_RO", "EVALSHA_RO", "FCALL_RO", "OBJECT", "COMMAND", "PUBSUB");
    private static final Set<String> UNORDERED_REPLY = Set.of("KEYS", "SMEMBERS", "SINTER", "SUNION", "SDIFF", "HKEYS", "HVALS");

    static {
        for (String c : new String[] {"BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX",
                "BZMPOP", "WAIT", "WAITAOF"}) {
            REJECTED.put(c, BLOCKING);
        }
        for (String c : new String[] {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
                "SUNSUBSCRIBE"}) {
            REJECTED.put(c, SUBSCRIBING);
        }
        for (String c : new String[] {"MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"}) {
            REJECTED.put(c, TRANSACTION);
        }
        for (String c : new String[] {"SELECT", "AUTH", "HELLO", "RESET", "CLIENT", "READONLY", "READWRITE", "ASKING"}) {
            REJECTED.put(c, CONNECTION_STATE);
        }
        for (String c : new String[] {"RANDOMKEY", "SPOP", "SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER", "TIME",
                "LASTSAVE", "INFO", "MEMORY", "SLOWLOG", "LATENCY", "SCAN", "SSCAN", "HSCAN", "ZSCAN", "XAUTOCLAIM",
                "XCLAIM", "XPENDING", "XINFO", "LOLWUT"}) {
            REJECTED.put(c, NONDETERMINISTIC);
        }
        for (String c : new String[] {"DEBUG", "SHUTDOWN", "MONITOR", "SYNC", "PSYNC", "REPLCONF", "REPLICAOF",
                "SLAVEOF", "FAILOVER", "CLUSTER", "MODULE", "ACL"}) {
            REJECTED.put(c, ADMIN);
        }
    }

    private RespCommands() {
    }

    /** Why {@code cmd} cannot go through the gateway, or null if it can. */
    static String rejection(RespCommand cmd) {
        String name = cmd.name();
        if (name.equals("SELECT") && cmd.size() == 2 && cmd.word(1).equals("0")) {
            return null; // the database every client already uses: harmless on the shared connection
        }
        String reason = REJECTED.get(name);
        if (reason != null) {
            return reason;
        }
        if ((name.equals("XREAD") || name.equals("XREADGROUP")) && hasWord(cmd, 1, "BLOCK")) {
            return BLOCKING;
        }
        if (name.equals("XADD") && streamIdIsAuto(cmd)) {
            return "an XADD with ID '*' takes its ID from each replica's clock; give an explicit ID";
        }
        return null;
    }

    static boolean readOnly(RespCommand cmd) {
        String name = cmd.name();
        if (name.equals("CONFIG")) {
            return cmd.word(1).equals("GET");
        }
        return READ_ONLY.contains(name);
    }

    static int shape(RespCommand cmd) {
        String name = cmd.name();
        if (UNORDERED_REPLY.contains(name)) {
            return UNORDERED;
        }
        if (name.equals("HGETALL") || (name.equals("CONFIG") && cmd.word(1).equals("GET"))) {
            return UNORDERED_PAIRS;
        }
        if (name.equals("TTL") || name.equals("PTTL") || name.equals("OBJECT")) {
            return TOLERANT;
        }
        if (name.equals("COMMAND")) {
            // The command table is a hash table with a per-process seed: listings come in a different
            // order on each replica, and nested subcommand lists too, so a difference is no fault.
            String sub = cmd.word(1);
            if (sub.isEmpty() || sub.equals("LIST") || sub.equals("INFO")) {
                return UNORDERED | TOLERANT;
            }
            if (sub.equals("DOCS")) {
                return UNORDERED_PAIRS | TOLERANT;
            }
        }
        return 0;
    }

    private static boolean hasWord(RespCommand cmd, int from, String word) {
        for (int i = from; i < cmd.size(); i++) {
            if (cmd.word(i).equals(word)) {
                return true;
            }
        }
        return false;
    }

    /** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] id field value ... */
    private static boolean streamIdIsAuto(RespCommand cmd) {
        int i = 2;
        if (cmd.word(i).equals("NOMKSTREAM")) {
            i++;
        }
        String w = cmd.word(i);
        if (w.equals("MAXLEN") || w.equals("MINID")) {
            i++;
            String op = cmd.word(i);
            if (op.equals("=") || op.equals("~")) {
                i++;
            }
            i++;
            if (cmd.word(i).equals("LIMIT")) {
                i += 2;
            }
        }
        return i < cmd.size() && cmd.word(i).equals("*");
    }
}
