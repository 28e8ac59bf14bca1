DROP TABLE chain_upgrade;
DROP TABLE chain_links;
