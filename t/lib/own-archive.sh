# own-archive.sh: the archive a restore on a new server meets, for the
# srestore tests (source after pg.sh, once pg_start ran):
#
#   own_archive                 database "own": a composite type and a table
#                               owned by postgres, with a grant to gone_role;
#                               own.sdump, dumped while gone_role existed;
#                               then gone_role dropped from the server
own_archive() {
	pg_sql postgres "create role gone_role" &&
	pg_createdb own &&
	pg_sql own "create type address as (street text, zip text);
		create table clients (id serial primary key, name text, home address);
		insert into clients (name) values ('Asha'), ('Ravi');
		grant select on clients to gone_role" &&
	sdump -d own >own.sdump &&
	pg_sql own "revoke all on clients from gone_role" &&
	pg_sql postgres "drop role gone_role"
}
