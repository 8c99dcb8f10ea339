/**
 * The sample in-memory key-value server speaking RESP2 (the Redis protocol), written in plain
 * blocking style: one virtual thread per connection, carried by the connection's loop
 * ({@link io.weft.samples.kv.KvMain}).
 */
package io.weft.samples.kv;
