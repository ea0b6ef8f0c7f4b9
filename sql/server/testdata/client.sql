-- Run by TestMariaDBClient through the mariadb command-line client (batch mode, --force).
create database if not exists clienttest;
use clienttest;
create table items (id int primary key, name varchar(20), price decimal(8,2), weight double, added date);
insert into items values (1, 'apple', 0.50, 0.2, '2024-05-01'), (2, 'pear', 1.25, 0.25, '2024-05-02'), (3, 'fig', NULL, NULL, NULL);
select id, name, price, weight, added from items order by id;
select count(*), sum(price) from items where price > 0.6;
select * from no_such_table;
delete from items where id = 3;
select name from items order by name desc;
drop table items;
