DROP TABLE exchange_rates;

--bun:split

DROP TABLE currencies;
