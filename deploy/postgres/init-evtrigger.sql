-- The rule store's database, beside Temporal's (run once, when the data volume is created).
CREATE DATABASE evtrigger;
