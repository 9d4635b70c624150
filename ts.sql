create table shop.customers (id int primary key, home shop.address);
insert into shop.customers values (1, row('Main St', '560001'));
create table other (x int);
