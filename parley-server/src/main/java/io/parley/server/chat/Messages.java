package io.parley.server.chat;

import io.parley.protocol.ServerFrame;
import io.parley.server.history.StoredMessage;

/** Conversions between the log's messages and the protocol's. */
final class Messages {

    private Messages() {
    }

    static ServerFrame.Message frame(StoredMessage m) {
        return new ServerFrame.Message(m.room(), m.seq(), m.sender(), m.text(), m.ts(), m.clientMsgId());
    }
}
