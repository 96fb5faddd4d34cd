SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, c0, c1, c2, c3, c4, GROUPING(c0, c1, c2, c3, c4) AS cx_set, CAST(SUM(cx_count) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_last)) AS DOUBLE PRECISION) AS cx_epoch
FROM (SELECT cx_period, c0, c1, c2, c3, c4, COUNT(*) AS cx_count, MAX(cx_date) AS cx_last
FROM (SELECT DATE_TRUNC('month', "submitted_at") AS cx_period, "submitted_at" AS cx_date, "nps_score" AS c0, "region" AS c1, "csat" AS c2, "channel" AS c3, "ces" AS c4 FROM (
select id, try_cast(submitted_at as timestamptz) as submitted_at, channel, region, nps_score, csat, ces, comment from SOURCE
) AS cx_source OFFSET 0) AS cx_rows
GROUP BY cx_period, c0, c1, c2, c3, c4) AS cx_cells
GROUP BY GROUPING SETS ((cx_period, c0, c1), (cx_period, c2, c3), (cx_period, c4))
