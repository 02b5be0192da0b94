/**
 * UDP mode: every datagram a client sends becomes one request in the ordered multiplexer's total
 * order, sent to every replica through one datagram socket per replica; each replica answers with one
 * datagram, replies are matched FIFO per replica and voted, and the voted datagram goes back to the
 * client's address.
 */
package io.resh.gateway.udp;
