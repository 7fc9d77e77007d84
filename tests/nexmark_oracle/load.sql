-- The Nexmark tables over generated events (one NDJSON object a line in
-- the table raw), with the names and types of Nexmark's DDL: person,
-- auction, bid; and q13's side_input (key, value).  Read by run.sh before
-- a query's SQL.  Tables, not views, with
-- indexes on the join keys: over views, sqlite3 parsed the JSON again in
-- every step of a join (q13 took minutes).
CREATE TABLE person AS SELECT j->>'id' AS id, j->>'name' AS name,
    j->>'emailAddress' AS emailAddress, j->>'creditCard' AS creditCard,
    j->>'city' AS city, j->>'state' AS state, j->>'dateTime' AS dateTime,
    j->>'extra' AS extra
  FROM raw WHERE j->>'event_type' = 0;
CREATE TABLE auction AS SELECT j->>'id' AS id, j->>'itemName' AS itemName,
    j->>'description' AS description, j->>'initialBid' AS initialBid,
    j->>'reserve' AS reserve, j->>'dateTime' AS dateTime,
    j->>'expires' AS expires, j->>'seller' AS seller,
    j->>'category' AS category, j->>'extra' AS extra
  FROM raw WHERE j->>'event_type' = 1;
CREATE TABLE bid AS SELECT j->>'auction' AS auction, j->>'bidder' AS bidder,
    j->>'price' AS price, j->>'channel' AS channel, j->>'url' AS url,
    j->>'dateTime' AS dateTime, j->>'extra' AS extra,
    rowid AS _n  -- the event's place in the stream (ties in time)
  FROM raw WHERE j->>'event_type' = 2;
CREATE TABLE side_input AS SELECT j->>'key' AS key, j->>'value' AS value
  FROM side_raw;
CREATE INDEX bid_auction ON bid(auction);
CREATE INDEX auction_id ON auction(id);
