DROP TABLE agreement_intent_decisions;
DROP TABLE agreement_statements;
DROP TABLE agreement_intents;
