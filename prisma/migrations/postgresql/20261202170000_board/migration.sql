-- The web board (docs/contract.md §11): one-time sign-in links and the sessions they open.
CREATE TABLE "board_session" (
    "id" SERIAL NOT NULL,
    "member_id" INTEGER NOT NULL,
    "link_hash" TEXT NOT NULL,
    "link_expires_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "session_hash" TEXT,
    "expires_at" TIMESTAMP(3),
    "ended_at" TIMESTAMP(3),

    CONSTRAINT "board_session_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "board_session_link_hash_key" ON "board_session"("link_hash");
CREATE UNIQUE INDEX "board_session_session_hash_key" ON "board_session"("session_hash");
CREATE INDEX "board_session_member_id_idx" ON "board_session"("member_id");

ALTER TABLE "board_session" ADD CONSTRAINT "board_session_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
