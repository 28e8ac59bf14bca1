DROP TABLE objection_escalations;
DROP TABLE objection_decisions;
DROP TABLE objections;
DROP TABLE notices;
