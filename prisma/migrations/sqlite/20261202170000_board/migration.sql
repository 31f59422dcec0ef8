-- The web board (docs/contract.md §11): one-time sign-in links and the sessions they open.
CREATE TABLE "board_session" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "member_id" INTEGER NOT NULL,
    "link_hash" TEXT NOT NULL,
    "link_expires_at" DATETIME NOT NULL,
    "created_at" DATETIME NOT NULL,
    "used_at" DATETIME,
    "session_hash" TEXT,
    "expires_at" DATETIME,
    "ended_at" DATETIME,
    CONSTRAINT "board_session_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "board_session_link_hash_key" ON "board_session"("link_hash");
CREATE UNIQUE INDEX "board_session_session_hash_key" ON "board_session"("session_hash");
CREATE INDEX "board_session_member_id_idx" ON "board_session"("member_id");
