-- 四单 service orders (issue 20): /services shows the menu and /stats the order figures, so a change
-- to either table bumps the public page-cache version (same rule as db/sql/cache.sql).
DROP TRIGGER IF EXISTS cache_bump_service_items_insert;
CREATE TRIGGER cache_bump_service_items_insert AFTER INSERT ON service_items BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_service_items_update;
CREATE TRIGGER cache_bump_service_items_update AFTER UPDATE ON service_items BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_service_items_delete;
CREATE TRIGGER cache_bump_service_items_delete AFTER DELETE ON service_items BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_service_orders_insert;
CREATE TRIGGER cache_bump_service_orders_insert AFTER INSERT ON service_orders BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_service_orders_update;
CREATE TRIGGER cache_bump_service_orders_update AFTER UPDATE ON service_orders BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
