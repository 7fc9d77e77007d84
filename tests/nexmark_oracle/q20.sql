-- columns: auction bidder price channel url dateTime extra itemName description initialBid reserve dateTime0 expires seller category extra0
SELECT auction, bidder, price, channel, url, B.dateTime AS dateTime,
  B.extra AS extra, itemName, description, initialBid, reserve,
  A.dateTime AS dateTime0, expires, seller, category, A.extra AS extra0
FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id
WHERE A.category = 10;
